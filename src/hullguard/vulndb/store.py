"""The SQLite store: advisories, their affected packages indexed by (ecosystem, package), sources."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hullguard.cache import default_cache_dir
from hullguard.errors import Error
from hullguard.vulndb.osv import Advisory, Affected, Event, Range, Severity, package_key

SCHEMA_VERSION = "3"
DB_NAME = "vulndb.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    location TEXT PRIMARY KEY, imported_at TEXT NOT NULL, records INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS advisories (
    id TEXT PRIMARY KEY, modified TEXT NOT NULL, published TEXT, withdrawn TEXT,
    title TEXT NOT NULL, aliases TEXT NOT NULL, severity TEXT NOT NULL,
    database_severity TEXT, refs TEXT NOT NULL, source TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS affected (
    advisory_id TEXT NOT NULL, ecosystem TEXT NOT NULL, base TEXT NOT NULL, package TEXT NOT NULL,
    data TEXT NOT NULL, severity TEXT);
CREATE INDEX IF NOT EXISTS affected_by_package ON affected (ecosystem, package);
CREATE INDEX IF NOT EXISTS affected_by_advisory ON affected (advisory_id);
"""


class DatabaseError(Error):
    """The vulnerability database is missing, unreadable or of another schema."""


class SchemaMismatch(DatabaseError):
    """The database was written by another hullguard version; it is rebuilt, not read."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AffectedRow:
    advisory_id: str
    affected: Affected


def db_path(cache_dir: Path | None) -> Path:
    return (cache_dir or default_cache_dir()) / DB_NAME


def connect(path: Path, create: bool = False) -> sqlite3.Connection:
    if not create and not path.is_file():
        raise DatabaseError(f"{path}: no vulnerability database; run `hullguard db update` or `db import`")
    try:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.executescript(_SCHEMA)
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            conn.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif row[0] != SCHEMA_VERSION:
            conn.close()
            raise SchemaMismatch(
                f"{path}: database schema {row[0]}, this hullguard reads {SCHEMA_VERSION}; "
                "run `hullguard db update` (or `db import`) to rebuild it"
            )
    except sqlite3.DatabaseError as e:
        raise DatabaseError(f"{path}: not a usable SQLite database: {e}") from e
    return conn


@contextmanager
def opened(path: Path) -> Iterator[sqlite3.Connection]:
    conn = connect(path)
    try:
        yield conn
    finally:
        conn.close()


def stored_modified(conn: sqlite3.Connection, ident: str) -> str | None:
    row = conn.execute("SELECT modified FROM advisories WHERE id = ?", (ident,)).fetchone()
    return row[0] if row else None


def put(conn: sqlite3.Connection, advisory: Advisory, source: str) -> None:
    """Replace whatever is stored under the advisory's id. A withdrawn one keeps only its row
    (so an older copy imported later cannot bring it back) and no affected packages."""
    conn.execute("DELETE FROM affected WHERE advisory_id = ?", (advisory.id,))
    conn.execute(
        "INSERT OR REPLACE INTO advisories VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            advisory.id,
            advisory.modified,
            advisory.published,
            advisory.withdrawn,
            advisory.title,
            json.dumps(advisory.aliases),
            json.dumps([[s.type, s.score] for s in advisory.severity]),
            advisory.database_severity,
            json.dumps(advisory.references[:20]),
            source,
        ),
    )
    if advisory.withdrawn:
        return
    conn.executemany(
        "INSERT INTO affected VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                advisory.id,
                a.ecosystem,
                a.ecosystem.partition(":")[0],
                package_key(a.ecosystem, a.package),
                # One JSON value per row: [ranges, explicit versions]; matching decodes it once.
                json.dumps(
                    [[[r.type, [[e.kind, e.version] for e in r.events]] for r in a.ranges], list(a.versions)],
                    separators=(",", ":"),
                ),
                a.severity,
            )
            for a in advisory.affected
        ],
    )


def affected_for(conn: sqlite3.Connection, ecosystem: str, package: str) -> list[AffectedRow]:
    return affected_for_many(conn, [(ecosystem, package)]).get(
        (ecosystem, package_key(ecosystem, package)), []
    )


def affected_for_many(
    conn: sqlite3.Connection, wanted: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[AffectedRow]]:
    """The affected rows of many (ecosystem, package) pairs in one indexed join, keyed by
    (ecosystem, package as the index stores it)."""
    keys = {(ecosystem, package_key(ecosystem, name)) for ecosystem, name in wanted}
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (ecosystem TEXT NOT NULL, package TEXT NOT NULL)")
    conn.execute("DELETE FROM temp.wanted")
    conn.executemany("INSERT INTO temp.wanted VALUES (?, ?)", keys)
    rows = conn.execute(
        "SELECT a.ecosystem, a.package, a.advisory_id, a.data, a.severity FROM temp.wanted AS w "
        "JOIN affected AS a ON a.ecosystem = w.ecosystem AND a.package = w.package"
    ).fetchall()
    out: dict[tuple[str, str], list[AffectedRow]] = {key: [] for key in keys}
    # The binaries of one advisory often share the same ranges: decode each distinct text once.
    decoded: dict[str, tuple[tuple[Range, ...], tuple[str, ...]]] = {}
    for ecosystem, name, ident, data, severity in rows:
        parts = decoded.get(data)
        if parts is None:
            ranges, versions = json.loads(data)
            parts = decoded[data] = (
                tuple(
                    Range(type=kind, events=tuple(Event(kind=k, version=v) for k, v in events))
                    for kind, events in ranges
                ),
                tuple(versions),
            )
        affected = Affected(
            ecosystem=ecosystem, package=name, ranges=parts[0], versions=parts[1], severity=severity
        )
        out[(ecosystem, name)].append(AffectedRow(advisory_id=ident, affected=affected))
    return out


def advisory(conn: sqlite3.Connection, ident: str) -> Advisory | None:
    row = conn.execute(
        "SELECT id, modified, published, withdrawn, title, aliases, severity, database_severity, refs "
        "FROM advisories WHERE id = ?",
        (ident,),
    ).fetchone()
    if row is None:
        return None
    return Advisory(
        id=row[0],
        modified=row[1],
        published=row[2],
        withdrawn=row[3],
        summary=row[4],
        aliases=tuple(json.loads(row[5])),
        severity=tuple(Severity(type=t, score=s) for t, s in json.loads(row[6])),
        database_severity=row[7],
        references=tuple(json.loads(row[8])),
    )


def ecosystems(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT ecosystem FROM affected")]


def is_empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM advisories LIMIT 1").fetchone() is None
