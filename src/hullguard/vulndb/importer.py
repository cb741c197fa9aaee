"""Import OSV records into the store: idempotent, incremental by `modified`, atomic."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from hullguard.errors import Error
from hullguard.model import Issue
from hullguard.vulndb import store
from hullguard.vulndb.osv import RecordError, parse_advisory
from hullguard.vulndb.reader import Document, iter_documents

PROGRESS_EVERY = 100


class NoAdvisories(Error):
    """A location held no OSV advisory at all: a wrong file, not a partly bad one."""

    def __init__(self, location: str, problems: list[Issue]) -> None:
        first = f" ({problems[0].path}: {problems[0].message})" if problems else ""
        super().__init__(
            f"{location}: holds no OSV advisory{first}; nothing was imported. "
            "Expected OSV JSON/YAML records, a folder of them, or a zip in osv.dev's all.zip layout."
        )
        self.problems = tuple(problems)


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    problems: list[Issue] = field(default_factory=list)

    @property
    def read(self) -> int:
        return self.added + self.updated + self.unchanged + self.withdrawn


def import_locations(
    path: Path,
    locations: Iterable[str | Path],
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ca_file: str | None = None,
    on_progress: Callable[[str, int], None] | None = None,
) -> ImportResult:
    """Import every location into the DB at PATH. The work goes to a copy that replaces the
    DB only when all of it is done, so an interrupted import leaves the previous DB intact.
    `on_progress(location, records read)` is called as records are read, for a progress line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.unlink(missing_ok=True)
    if path.exists() and _readable(path):
        shutil.copyfile(path, temp)
    result = ImportResult()
    try:
        conn = store.connect(temp, create=True)
        try:
            conn.execute("BEGIN")
            for location in locations:
                before = result.read
                problems = len(result.problems)
                for document in iter_documents(location, ca_file):
                    _import_document(conn, document, str(location), result)
                    if on_progress is not None and result.read % PROGRESS_EVERY == 0:
                        on_progress(str(location), result.read)
                if result.read == before:
                    raise NoAdvisories(str(location), result.problems[problems:])
                conn.execute(
                    "INSERT OR REPLACE INTO sources VALUES (?, ?, ?)",
                    (str(location), now().strftime("%Y-%m-%dT%H:%M:%SZ"), result.read - before),
                )
            conn.execute("COMMIT")
        finally:
            conn.close()
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return result


def _readable(path: Path) -> bool:
    """An existing DB of another schema is not carried over: the import rebuilds it."""
    try:
        store.connect(path).close()
    except store.SchemaMismatch:
        return False
    return True


def _import_document(conn: sqlite3.Connection, document: Document, source: str, result: ImportResult) -> None:
    if document.error is not None:
        result.problems.append(Issue(stage="vulndb", path=document.where, message=document.error))
        return
    docs = document.content if isinstance(document.content, list) else [document.content]
    for doc in docs:
        try:
            advisory = parse_advisory(doc)
        except RecordError as e:
            result.problems.append(Issue(stage="vulndb", path=document.where, message=f"skipped: {e}"))
            continue
        known = store.stored_modified(conn, advisory.id)
        if known is not None and known >= advisory.modified:
            result.unchanged += 1
            continue
        store.put(conn, advisory, source)
        if advisory.withdrawn:
            result.withdrawn += 1
        elif known is None:
            result.added += 1
        else:
            result.updated += 1
