"""End-of-life dates of OS releases, from the shipped, dated table `data/os-eol.csv`."""

from __future__ import annotations

import functools
from datetime import date
from importlib import resources

from hullguard.model import OS

ROLLING = "rolling"


@functools.cache
def _table() -> dict[tuple[str, str], str]:
    text = resources.files("hullguard").joinpath("data/os-eol.csv").read_text(encoding="utf-8")
    rows = (line.split(",") for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {(family, release): when for family, release, when in rows}


def release_of(family: str, version: str) -> str:
    """The release cycle a version belongs to: Alpine 3.19.1 is 3.19, Debian 12.5 is 12."""
    return OS(family=family, version=version).release


def lookup_eol(family: str, version: str, today: date | None = None) -> tuple[bool, date | None] | None:
    """(is end of life, date) for a release, or None when the table does not know it."""
    table = _table()
    when = table.get((family, "*")) or table.get((family, release_of(family, version)))
    if when is None:
        return None
    if when == ROLLING:
        return (False, None)
    eol_date = date.fromisoformat(when)
    return (eol_date <= (today or date.today()), eol_date)
