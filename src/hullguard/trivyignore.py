"""Trivy's plain-text `.trivyignore`: one finding id per line, `#` comments, and an optional
`exp:YYYY-MM-DD` after the id (the entry stops hiding after that day)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from hullguard.errors import UsageError

_LINE = re.compile(r"^(?P<id>[^\s#]+)(?:\s+exp:(?P<exp>\S+))?\s*(?:#.*)?$")
DEFAULT_NAME = ".trivyignore"


def is_plain(path: Path, text: str) -> bool:
    """A `.trivyignore`, or any file whose every line is an id (with exp:), a comment or blank."""
    if path.name == DEFAULT_NAME:
        return True
    if path.suffix in (".yaml", ".yml", ".json"):
        return False
    lines = [line.strip() for line in text.splitlines()]
    ids = [line for line in lines if line and not line.startswith("#")]
    return bool(ids) and all(_LINE.match(line) and ":" not in line.split()[0] for line in ids)


def parse_plain(text: str, path: Path) -> tuple[tuple[str, date | None], ...]:
    """(id, expiry) of each entry."""
    rules: list[tuple[str, date | None]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise UsageError(
                f"--ignorefile {path}:{number}: expected a finding id, optionally followed by "
                f"exp:YYYY-MM-DD, got {line!r}"
            )
        expires = None
        if match["exp"] is not None:
            try:
                expires = date.fromisoformat(match["exp"])
            except ValueError:
                raise UsageError(
                    f"--ignorefile {path}:{number}: exp:{match['exp']} is not a YYYY-MM-DD date"
                ) from None
        rules.append((match["id"], expires))
    return tuple(rules)
