"""Content-addressed caches under the user cache dir: what reading an image's layers yields."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

SCAN_CACHES = ("images", "secrets")
"""Folders of the cache root that only save time: removing them loses nothing."""


def default_cache_dir() -> Path:
    """The cache root: `HULLGUARD_CACHE_DIR`, else `$XDG_CACHE_HOME/hullguard` (~/.cache)."""
    env = os.environ.get("HULLGUARD_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hullguard"


def clean_scan_caches(root: Path) -> list[Path]:
    """Remove the scan caches under `root` (never the vulnerability DB); the folders removed."""
    removed = []
    for name in SCAN_CACHES:
        folder = root / name
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder)
            removed.append(folder)
    return removed
