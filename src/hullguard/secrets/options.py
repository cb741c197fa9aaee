"""The secret scanner's options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 10 << 20
"""Files larger than this are not scanned for secrets unless `max_file_size` says otherwise."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretOptions:
    config: Path | None = None
    """YAML: secret rules to add or disable, allowlists (`--secret-config`)."""
    baseline: Path | None = None
    """Known secrets to hide (`hullguard secret baseline`)."""
    max_file_size: int | None = None
    """Files larger than this are not scanned (and are named in the report); None: the default."""
    verify: bool = False
    """Check found credentials with their providers' identity calls (`--verify`, never with --offline)."""
