"""Cache files: JSON written atomically, read back as nothing when missing or unreadable."""

from __future__ import annotations

import json
import os
from pathlib import Path


def read_json(path: Path) -> object | None:
    """The document at `path`, or None: a cache entry that cannot be read is only a miss."""
    try:
        doc: object = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc


def write_json(path: Path, doc: object) -> bool:
    """Write through a temp file and rename, so a reader never sees half an entry. False when
    it could not be written: a cache that cannot be written only costs time."""
    import tempfile  # a rescan answered by the cache writes nothing

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(doc, out, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True
