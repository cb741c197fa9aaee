"""Import: real advisory sets, zips in osv.dev's layout, idempotence, updates by `modified`,
withdrawn records, bad records, and an interrupted import that leaves the old DB intact."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from hullguard.vulndb import store
from hullguard.vulndb.importer import import_locations
from hullguard.vulndb.reader import ReadError

ADVISORIES = "conformance/advisories"


def record(ident: str, modified: str = "2024-01-01T00:00:00Z", fixed: str = "2.0", **extra: object) -> dict:
    return {
        "id": ident,
        "modified": modified,
        "aliases": [f"CVE-{ident}"],
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "Demo_Pkg"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
            }
        ],
        **extra,
    }


def write(folder: Path, *records: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for rec in records:
        (folder / f"{rec.get('id', 'no-id')}.json").write_text(json.dumps(rec))
    return folder


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.conformance
def test_real_advisory_sets_import_and_reimport_is_idempotent(shared_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    sources = [
        shared_dir / ADVISORIES / d for d in ("pypa-advisory-database", "almalinux-osv", "osv.dev-testdata")
    ]
    first = import_locations(db, sources)
    pypa = len(list((shared_dir / ADVISORIES / "pypa-advisory-database/vulns").rglob("*.yaml")))
    alma = len(list((shared_dir / ADVISORIES / "almalinux-osv/advisories").rglob("*.json")))
    assert first.read >= pypa + alma - 50
    assert first.added > 8000 and first.withdrawn >= 1
    # The vulnfeeds intermediates are not OSV records: each is reported, none is fatal.
    assert first.problems and all("skipped" in p.message or "not valid" in p.message for p in first.problems)
    per = dict(rows(db, "SELECT base, COUNT(DISTINCT advisory_id) FROM affected GROUP BY base"))
    assert per["PyPI"] > 2500 and per["AlmaLinux"] > 5000
    second = import_locations(db, sources)
    assert (second.added, second.updated) == (0, 0)
    assert second.unchanged == first.read
    # Withdrawn records keep a tombstone and no affected rows.
    withdrawn = rows(db, "SELECT id FROM advisories WHERE withdrawn IS NOT NULL")
    assert withdrawn
    assert not rows(db, f"SELECT * FROM affected WHERE advisory_id = '{withdrawn[0][0]}'")
    # Aliases are kept.
    [(aliases,)] = rows(db, "SELECT aliases FROM advisories WHERE id = 'PYSEC-2021-108'")
    assert "CVE-2021-33503" in json.loads(aliases)


def test_zip_in_all_zip_layout_and_yaml(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("A-1.json", json.dumps(record("A-1")))
        zf.writestr("A-2.json", json.dumps(record("A-2")))
        zf.writestr("broken.json", "{not json")
    yaml_file = tmp_path / "B-1.yaml"
    yaml_file.write_text(
        "id: B-1\nmodified: 2024-02-02T00:00:00Z\naffected:\n- package: {ecosystem: npm, name: x}\n"
        "  ranges:\n  - type: SEMVER\n    events:\n    - introduced: '0'\n    - fixed: 1.10.0\n"
    )
    db = tmp_path / "db.sqlite"
    result = import_locations(db, [archive, yaml_file])
    assert (result.added, len(result.problems)) == (3, 1)
    assert "broken.json" in (result.problems[0].path or "") and "not valid JSON" in result.problems[0].message
    with store.opened(db) as conn:
        found = store.affected_for(conn, "PyPI", "demo-pkg")  # PEP 503 normalised lookup
        assert {r.advisory_id for r in found} == {"A-1", "A-2"}
        [npm] = store.affected_for(conn, "npm", "x")
        # YAML is read without type guessing: 1.10.0 stays text, not a float.
        assert npm.affected.ranges[0].events[1].version == "1.10.0"
        assert len(store.affected_for(conn, "PyPI", "Demo-Pkg")) == 2


def test_incremental_by_modified_and_withdrawn_and_bad_records(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    import_locations(db, [write(tmp_path / "v1", record("X-1", fixed="2.0"), record("X-2"))])
    older = write(tmp_path / "old", record("X-1", modified="2023-01-01T00:00:00Z", fixed="9.9"))
    assert import_locations(db, [older]).unchanged == 1
    newer = write(
        tmp_path / "new",
        record("X-1", modified="2025-01-01T00:00:00Z", fixed="3.0"),
        record("X-2", modified="2025-01-01T00:00:00Z", withdrawn="2025-01-01T00:00:00Z"),
        {"id": "BAD-1", "modified": "2025-01-01T00:00:00Z", "affected": [{"package": {"name": "x"}}]},
        {"modified": "2025-01-01T00:00:00Z"},
    )
    result = import_locations(db, [newer])
    assert (result.updated, result.withdrawn, len(result.problems)) == (1, 1, 2)
    assert any("BAD-1" in p.message and "ecosystem" in p.message for p in result.problems)
    with store.opened(db) as conn:
        [row] = store.affected_for(conn, "PyPI", "demo_pkg")
        assert row.advisory_id == "X-1" and row.affected.ranges[0].events[1].version == "3.0"
        assert store.advisory(conn, "BAD-1") is None


def test_interrupted_import_leaves_previous_database_intact(tmp_path: Path) -> None:
    db = tmp_path / "cache" / "db.sqlite"
    import_locations(db, [write(tmp_path / "v1", record("K-1"))])
    before = db.read_bytes()
    second = write(tmp_path / "v2", record("K-2"), record("K-3"))
    with pytest.raises(ReadError):
        import_locations(db, [second, tmp_path / "missing"])
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["db.sqlite"]
    with store.opened(db) as conn:
        assert store.advisory(conn, "K-2") is None and store.advisory(conn, "K-1") is not None


def test_database_of_another_schema_is_rebuilt_not_read(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO meta VALUES ('schema', '0')")
    with pytest.raises(store.DatabaseError, match="schema 0"):
        store.connect(db)
    assert import_locations(db, [write(tmp_path / "v1", record("S-1"))]).added == 1
    with store.opened(db) as conn:
        assert store.advisory(conn, "S-1") is not None
