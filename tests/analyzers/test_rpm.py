"""rpm analyzer: real databases written by rpm and libdb, header parsing, and bad input."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from hullguard.analyzers import ANALYZERS
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.licenses import normalize
from hullguard.analyzers.rpm import RpmAnalyzer, parse_database, split_source_rpm
from hullguard.analyzers.rpmdb import RpmdbError, iter_blobs, parse_header
from hullguard.analyzers.rpmdb import header as tag
from hullguard.analyzers.run import analyze_tree
from hullguard.model import Package
from hullguard.pipeline import FsTarget, ScanOptions, scan
from hullguard.sources.rootfs import DirTree
from tests.conftest import require
from tests.support import rpm

HELLO = """Name: hg-hello
Epoch: 2
Version: 1.4.2
Release: 3.hg1
Summary: test package
License: MIT and (BSD-3-Clause or GPL-2.0-or-later)
BuildArch: noarch
%description
A test package with an epoch.
%install
mkdir -p %{buildroot}/usr/share/hg-hello
echo hi > %{buildroot}/usr/share/hg-hello/README
%files
/usr/share/hg-hello/README
"""
TOOL = """Name: hg-tool
Version: 0.9
Release: 1.module_el8+12
Summary: test package
License: GPL-2.0-only
BuildArch: x86_64
%description
A modular test package.
%files
"""
LABEL = "hgmod:1:8020:abcdef"


def _rows(packages: list[Package] | tuple[Package, ...]) -> set[tuple[str, ...]]:
    """The fields `rpm -qa` prints, rebuilt from packages (the source rpm from source name and version)."""
    rows = set()
    for p in packages:
        source_version = (p.source_version or "").rpartition(":")[2]
        source = f"{p.source_name}-{source_version}.src.rpm"
        rows.add((p.name, p.version, p.arch or "", source, " ".join(p.licenses), p.modularity_label or ""))
    return rows


def _oracle(rows: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """rpm's own listing with the licence as hullguard reports it (SPDX where recognizable)."""
    return {(*row[:4], normalize(row[4]), *row[5:]) for row in rows}


def _read(path: Path, in_image: str = "var/lib/rpm/Packages") -> tuple[list[Package], AnalysisContext]:
    ctx = AnalysisContext(tree=DirTree(path.parent))
    file = FileInput(path=in_image, layer=None, size=path.stat().st_size, read_bytes=path.read_bytes)
    return list(RpmAnalyzer().analyze(file, ctx).packages), ctx


@pytest.fixture(scope="module")
def rpm_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root file system with two real packages installed by rpm into usr/lib/sysimage/rpm."""
    missing = rpm.missing_tools()
    require(not missing, f"rpm tools missing: {', '.join(missing)} (run scripts/setup)")
    work = tmp_path_factory.mktemp("rpm")
    built = [
        rpm.build_rpm(work / "build", HELLO),
        rpm.build_rpm(work / "build", TOOL, f"modularitylabel {LABEL}"),
    ]
    root = work / "root"
    rpm.install(root, "usr/lib/sysimage/rpm", *built)
    return root


@pytest.mark.integration
def test_real_sqlite_database_matches_rpm_query(rpm_root: Path) -> None:
    dbpath = rpm_root / "usr/lib/sysimage/rpm"
    assert (dbpath / "rpmdb.sqlite").read_bytes().startswith(b"SQLite format 3\0")
    inventory, issues = analyze_tree(DirTree(rpm_root), ANALYZERS)
    assert issues == ()
    expected = _oracle(rpm.query(dbpath))
    assert _rows(inventory.packages) == expected
    assert expected == {
        ("hg-hello", "2:1.4.2-3.hg1", "noarch", "hg-hello-1.4.2-3.hg1.src.rpm",
         "MIT AND (BSD-3-Clause OR GPL-2.0-or-later)", ""),
        ("hg-tool", "0.9-1.module_el8+12", "x86_64", "hg-tool-0.9-1.module_el8+12.src.rpm", "GPL-2.0-only", LABEL),
    }  # fmt: skip


@pytest.mark.integration
def test_real_root_scan_gives_rpm_purls_with_epoch(rpm_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(rpm_root, root)
    (root / "etc").mkdir()
    (root / "etc/os-release").write_text('ID="rocky"\nVERSION_ID="9.3"\nPRETTY_NAME="Rocky Linux 9.3"\n')
    report = scan(FsTarget(path=root), ScanOptions(scanners=frozenset()))
    hello = next(p for p in report.packages if p.name == "hg-hello")
    assert hello.purl == "pkg:rpm/rocky/hg-hello@1.4.2-3.hg1?arch=noarch&distro=rocky-9.3&epoch=2"
    assert hello.source_name == "hg-hello" and hello.source_version == "2:1.4.2-3.hg1"


@pytest.mark.integration
def test_libdb_hash_database_matches_rpm_and_sqlite(rpm_root: Path, tmp_path: Path) -> None:
    """The same real headers stored by libdb's db_load: page sizes 512 to 64 KiB, both byte orders."""
    blobs = list(iter_blobs((rpm_root / "usr/lib/sysimage/rpm/rpmdb.sqlite").read_bytes()))
    small = rpm.make_header({tag.NAME: "tiny", tag.VERSION: "1", tag.RELEASE: "1", tag.ARCH: "noarch"})
    records = [(0, b"\x03\0\0\0"), *((i, blob) for i, blob in enumerate([*blobs, small], start=1))]
    for page_size, byte_order in ((512, 1234), (4096, 4321), (65536, 1234)):  # 4321: big-endian (s390x)
        db = tmp_path / f"{page_size}-{byte_order}"
        db.mkdir()
        rpm.db_load_hash(db / "Packages", records, f"db_pagesize={page_size}", f"db_lorder={byte_order}")
        packages, ctx = _read(db / "Packages")
        assert ctx.issues == []
        assert sorted(p.name for p in packages) == ["hg-hello", "hg-tool", "tiny"]
        oracle = _oracle(rpm.query(db, "bdb_ro"))
        assert _rows([p for p in packages if p.name != "tiny"]) == {r for r in oracle if r[0] != "tiny"}


@pytest.mark.integration
@pytest.mark.conformance
@pytest.mark.parametrize(
    "case", ["go-rpmdb/libuuid/Packages", "syft-rpm/Packages", "go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite"]
)
def test_conformance_databases_match_rpm_query(case: str, shared_dir: Path, tmp_path: Path) -> None:
    require(not rpm.missing_tools(), "rpm tools missing (run scripts/setup)")
    source = shared_dir / "conformance/pkgdb" / case
    copy = tmp_path / source.name
    shutil.copyfile(source, copy)  # rpm wants a writable folder for its lock file
    packages, ctx = _read(
        copy, "var/lib/rpm/rpmdb.sqlite" if copy.suffix == ".sqlite" else "var/lib/rpm/Packages"
    )
    backend = "sqlite" if copy.suffix == ".sqlite" else "bdb_ro"
    assert ctx.issues == []
    assert _rows(packages) == _oracle(rpm.query(tmp_path, backend))
    assert len(packages) == (129 if backend == "sqlite" else 1)


def test_header_fields_and_gpg_pubkey_skipped(tmp_path: Path) -> None:
    blobs = [
        rpm.make_header({tag.NAME: "gpg-pubkey", tag.VERSION: "9867c58f", tag.RELEASE: "601c49ca"}),
        rpm.make_header({
            tag.NAME: "nodejs", tag.EPOCH: 1, tag.VERSION: "10.21.0", tag.RELEASE: "3.module_el8.2.0+391+8da3adc6",
            tag.ARCH: "x86_64", tag.SOURCERPM: "nodejs-10.21.0-3.module_el8.2.0+391+8da3adc6.src.rpm",
            tag.LICENSE: "MIT and ASL 2.0", tag.MODULARITYLABEL: "nodejs:10:8020020200707141642:6a468ee4",
        }),
    ]  # fmt: skip
    db = tmp_path / "Packages"
    require(not rpm.missing_tools(), "rpm tools missing (run scripts/setup)")
    rpm.db_load_hash(db, list(enumerate(blobs, start=1)))
    (package,), _ = _read(db)
    assert package.version == "1:10.21.0-3.module_el8.2.0+391+8da3adc6"
    assert (package.source_name, package.source_version) == (
        "nodejs",
        "1:10.21.0-3.module_el8.2.0+391+8da3adc6",
    )
    assert package.licenses == ("MIT AND Apache-2.0",)
    assert package.modularity_label == "nodejs:10:8020020200707141642:6a468ee4"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("util-linux-2.32.1-42.el8_8.src.rpm", ("util-linux", "2.32.1-42.el8_8")),
        ("dive-0.9.2-1.src.rpm", ("dive", "0.9.2-1")),
        ("kernel-5.14.0-1.nosrc.rpm", ("kernel", "5.14.0-1")),
        ("norelease.src.rpm", None),
        ("not-an-rpm", None),
        ("", None),
    ],
)
def test_split_source_rpm(filename: str, expected: tuple[str, str] | None) -> None:
    assert split_source_rpm(filename) == expected


def test_header_with_out_of_range_offset_is_an_error() -> None:
    good = rpm.make_header({tag.NAME: "a", tag.VERSION: "1", tag.RELEASE: "1"})
    assert parse_header(good).string(tag.NAME) == "a"
    bad = bytearray(good)
    bad[8 + 8 : 8 + 12] = (10_000).to_bytes(4, "big")  # first entry's offset
    with pytest.raises(RpmdbError, match="outside"):
        parse_header(bytes(bad))
    with pytest.raises(RpmdbError, match="too short"):
        parse_header(b"\0\0")
    with pytest.raises(RpmdbError, match="limits"):
        parse_header(b"\xff\xff\xff\xff\0\0\0\0")
    with pytest.raises(RpmdbError, match="needs"):
        parse_header(good[:-3])


def test_unterminated_string_is_an_error() -> None:
    blob = rpm.make_header({tag.NAME: "abc"})
    with pytest.raises(RpmdbError, match="NUL"):
        parse_header(blob[:-1].replace(b"\0\0\0\x04", b"\0\0\0\x03", 1))


def test_garbage_and_truncated_databases_become_issues(tmp_path: Path) -> None:
    garbage = tmp_path / "Packages"
    garbage.write_bytes(b"definitely not a database" * 100)
    packages, ctx = _read(garbage)
    assert packages == [] and "not an rpm database" in ctx.issues[0].message

    sqlite_db = tmp_path / "rpmdb.sqlite"
    with sqlite3.connect(sqlite_db) as db:
        db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
        db.execute("INSERT INTO Packages (blob) VALUES (?)", (rpm.make_header({tag.NAME: "x"}),))
    packages, ctx = _read(sqlite_db, "var/lib/rpm/rpmdb.sqlite")
    assert packages == [] and "lacks a name, version or release" in ctx.issues[0].message
    sqlite_db.write_bytes(sqlite_db.read_bytes()[:1000])
    packages, ctx = _read(sqlite_db, "var/lib/rpm/rpmdb.sqlite")
    assert packages == [] and "SQLite rpm database" in ctx.issues[0].message


def test_truncated_ndb_keeps_what_it_read(shared_dir: Path, tmp_path: Path) -> None:
    data = (shared_dir / "conformance/pkgdb/go-rpmdb/sle15-bci/Packages.db").read_bytes()
    cut = tmp_path / "Packages.db"
    cut.write_bytes(data[: len(data) // 2])
    packages, ctx = _read(cut, "usr/lib/sysimage/rpm/Packages.db")
    assert 0 < len(packages) < 35
    assert "past the end of the file" in ctx.issues[0].message
    assert f"kept the {len(packages)} packages" in ctx.issues[0].message


def test_only_the_newest_backend_is_read(tmp_path: Path) -> None:
    """A converted image may keep the old BDB `Packages` next to the live rpmdb.sqlite."""
    require(not rpm.missing_tools(), "rpm tools missing (run scripts/setup)")
    old = rpm.make_header({tag.NAME: "stale", tag.VERSION: "1", tag.RELEASE: "1"})
    new = rpm.make_header({tag.NAME: "live", tag.VERSION: "2", tag.RELEASE: "1"})
    (tmp_path / "var/lib/rpm").mkdir(parents=True)
    rpm.db_load_hash(tmp_path / "var/lib/rpm/Packages", [(1, old)])
    with sqlite3.connect(tmp_path / "var/lib/rpm/rpmdb.sqlite") as db:
        db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
        db.execute("INSERT INTO Packages (blob) VALUES (?)", (new,))
    inventory, issues = analyze_tree(DirTree(tmp_path), ANALYZERS)
    assert [p.name for p in inventory.packages] == ["live"] and issues == ()


def _uncheckpointed(source: Path, dest: Path, work: Path, *names: str) -> None:
    """Copy `source` (an rpmdb.sqlite) to `dest` with `names` added only in its write-ahead log,
    as a process that never closed the database leaves it. SQLite itself writes the log."""
    work.mkdir()
    shutil.copyfile(source, work / "rpmdb.sqlite")
    db = sqlite3.connect(work / "rpmdb.sqlite")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        db.execute("PRAGMA wal_autocheckpoint = 0")
        for name in names:
            blob = rpm.make_header({tag.NAME: name, tag.VERSION: "1", tag.RELEASE: "1", tag.ARCH: "noarch"})
            db.execute("INSERT INTO Packages (blob) VALUES (?)", (blob,))
            db.commit()
        dest.mkdir(parents=True)
        shutil.copyfile(work / "rpmdb.sqlite", dest / "rpmdb.sqlite")
        shutil.copyfile(work / "rpmdb.sqlite-wal", dest / "rpmdb.sqlite-wal")
    finally:
        db.close()


@pytest.mark.integration
def test_committed_transactions_only_in_the_wal_are_read(rpm_root: Path, tmp_path: Path) -> None:
    dbdir = tmp_path / "root/var/lib/rpm"
    _uncheckpointed(
        rpm_root / "usr/lib/sysimage/rpm/rpmdb.sqlite", dbdir, tmp_path / "work", "wal-one", "wal-two"
    )
    wal = (dbdir / "rpmdb.sqlite-wal").read_bytes()
    assert len(wal) > 32
    inventory, issues = analyze_tree(DirTree(tmp_path / "root"), ANALYZERS)
    assert issues == ()
    assert sorted(p.name for p in inventory.packages) == ["hg-hello", "hg-tool", "wal-one", "wal-two"]

    page = int.from_bytes(wal[8:12], "big")
    (dbdir / "rpmdb.sqlite-wal").write_bytes(wal[: len(wal) - page])  # the last frame torn off
    inventory, _ = analyze_tree(DirTree(tmp_path / "root"), ANALYZERS)
    assert sorted(p.name for p in inventory.packages) == ["hg-hello", "hg-tool", "wal-one"]

    (dbdir / "rpmdb.sqlite-wal").unlink()
    inventory, _ = analyze_tree(DirTree(tmp_path / "root"), ANALYZERS)
    assert sorted(p.name for p in inventory.packages) == ["hg-hello", "hg-tool"]


@pytest.mark.conformance
@pytest.mark.parametrize(
    "case",
    ["go-rpmdb/libuuid/Packages", "go-rpmdb/sle15-bci/Packages.db", "go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite"],
)
def test_corrupted_databases_never_raise(case: str, shared_dir: Path, tmp_path: Path) -> None:
    """Seeded random byte flips and truncations: issues at most, never an exception."""
    data = (shared_dir / "conformance/pkgdb" / case).read_bytes()
    rng = random.Random(case)
    in_image = {"Packages": "var/lib/rpm/Packages", "Packages.db": "var/lib/rpm/Packages.db"}
    path = in_image.get(Path(case).name, "var/lib/rpm/rpmdb.sqlite")
    for _ in range(40):
        broken = bytearray(data)
        for _ in range(rng.choice((1, 8, 64))):
            broken[rng.randrange(min(len(broken), 1 << 16))] = rng.randrange(256)
        if rng.random() < 0.25:
            broken = broken[: rng.randrange(len(broken))]
        blob = bytes(broken)
        ctx = AnalysisContext(tree=DirTree(tmp_path))
        file = FileInput(path=path, layer=None, size=len(blob), read_bytes=lambda blob=blob: blob)
        packages = parse_database(file, ctx)
        assert all(p.name and p.version for p in packages)


@pytest.mark.integration
def test_distroless_rpm_manifest_matches_the_database(rpm_root: Path, tmp_path: Path) -> None:
    """container-manifest-2 as rpm writes it for the same packages gives the same inventory."""
    text = rpm.manifest(rpm_root / "usr/lib/sysimage/rpm")
    assert len(text.splitlines()) == 2 and text.count("\t") == 18
    manifest = tmp_path / "var/lib/rpmmanifest/container-manifest-2"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(
        text + "gpg-pubkey\t3135ce90-5e6fd87e\t0\t0\t(none)\t(none)\t0\t(none)\t0\t(none)\nbroken line\n"
    )
    inventory, issues = analyze_tree(DirTree(tmp_path), ANALYZERS)
    database, _ = analyze_tree(DirTree(rpm_root), ANALYZERS)

    def key(p: Package) -> tuple[str | None, ...]:
        return (p.name, p.version, p.arch, p.source_name, p.source_version)

    assert sorted(map(key, inventory.packages)) == sorted(map(key, database.packages))
    assert [i.message for i in issues] == ["skipped a line without the 10 tab-separated rpm fields"]
    assert all(p.path == "var/lib/rpmmanifest/container-manifest-2" for p in inventory.packages)

    both = tmp_path / "both"
    shutil.copytree(rpm_root, both)
    shutil.copytree(tmp_path / "var", both / "var")
    inventory, _ = analyze_tree(DirTree(both), ANALYZERS)
    assert {p.path for p in inventory.packages} == {"usr/lib/sysimage/rpm/rpmdb.sqlite"}  # no duplicates
