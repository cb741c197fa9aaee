"""rpm >= 4.16's SQLite backend: table `Packages(hnum, blob)`, one header blob per row."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.analyzers.rpmdb.header import RpmdbError
from hullguard.analyzers.rpmdb.wal import apply_wal

MAGIC = b"SQLite format 3\0"


def iter_blobs(data: bytes, wal: bytes = b"") -> Iterator[bytes]:
    """Header blobs in instance order; `wal` is the content of `rpmdb.sqlite-wal`, if any."""
    # rpm keeps the database in WAL mode; an in-memory copy cannot use WAL, so the copy's
    # header says "rollback journal" instead (bytes 18 and 19: file format read/write version).
    image = bytearray(apply_wal(data, wal) if wal else data)
    if len(image) >= 20 and image[18:20] == b"\x02\x02":
        image[18:20] = b"\x01\x01"
    import sqlite3  # only for an rpm >= 4.16 image: its import is not free on every scan

    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(bytes(image))
        rows = db.execute("SELECT blob FROM Packages ORDER BY hnum").fetchall()
    except sqlite3.Error as e:
        raise RpmdbError(f"SQLite rpm database: {e}") from e
    finally:
        db.close()
    for (blob,) in rows:
        if isinstance(blob, bytes):
            yield blob
