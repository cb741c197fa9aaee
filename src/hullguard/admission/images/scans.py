"""The latest stored scan of each image: hullguard JSON reports in a folder, by the manifest digest
they name (`hullguard image REF --format json --output DIR/NAME.json` writes one)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from hullguard.model import Severity

MAX_REPORT = 64 << 20


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredScan:
    path: Path
    mtime: float
    worst: Severity | None
    """The highest severity among its vulnerability findings; None when it has none."""
    count: int


class ScanStore:
    """Re-read when the folder changes; the newest report of a digest wins."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.lock = threading.Lock()
        self.stamp: tuple[tuple[str, float], ...] = ()
        self.by_digest: dict[str, StoredScan] = {}

    def latest(self, digest: str) -> StoredScan | None:
        self._refresh()
        return self.by_digest.get(digest)

    def _refresh(self) -> None:
        try:
            files = sorted((p.name, p.stat().st_mtime) for p in self.folder.glob("*.json"))
        except OSError:
            files = []
        with self.lock:
            if tuple(files) == self.stamp:
                return
            found: dict[str, StoredScan] = {}
            for name, mtime in files:
                scan = _read(self.folder / name, mtime)
                if scan is not None and (scan[0] not in found or found[scan[0]].mtime <= mtime):
                    found[scan[0]] = scan[1]
            self.by_digest, self.stamp = found, tuple(files)


def _read(path: Path, mtime: float) -> tuple[str, StoredScan] | None:
    """A report we cannot read is no scan at all (the image then counts as unknown)."""
    try:
        if path.stat().st_size > MAX_REPORT:
            return None
        doc = json.loads(path.read_bytes())
        digest = doc["artifact"]["digest"]
        severities = [
            Severity.parse(str(f.get("severity", "UNKNOWN")))
            for f in doc.get("findings", [])
            if isinstance(f, dict) and f.get("kind") == "vulnerability"
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(digest, str):
        return None
    return digest, StoredScan(
        path=path, mtime=mtime, worst=max(severities, default=None), count=len(severities)
    )
