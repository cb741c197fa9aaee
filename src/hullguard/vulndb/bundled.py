"""The advisory set shipped in `hullguard/data/advisories/`: written by the team from public
facts about real CVEs in the demo image's packages, imported when the database is empty so
a first scan shows real findings offline."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from hullguard.model import Issue
from hullguard.vulndb import store
from hullguard.vulndb.importer import import_locations


def bundled_dir() -> Path:
    return Path(str(resources.files("hullguard") / "data" / "advisories"))


def ensure_database(path: Path) -> list[Issue]:
    """Import the bundled set when there is no database or it holds nothing."""
    if path.is_file():
        try:
            with store.opened(path) as conn:
                if not store.is_empty(conn):
                    return []
        except store.SchemaMismatch:
            pass  # written by another version: rebuilt below
    result = import_locations(path, [bundled_dir()])
    return [
        *result.problems,
        Issue(
            stage="vuln",
            message=f"the vulnerability database was empty: imported {result.added} bundled demo advisories; "
            "run `hullguard db update` for complete data",
        ),
    ]
