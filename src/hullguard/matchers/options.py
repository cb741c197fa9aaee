"""The vuln scanner's options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True, kw_only=True)
class VulnOptions:
    database: Path | None = None
    """The SQLite vulnerability database; None: `vulndb.sqlite` under the cache root."""
