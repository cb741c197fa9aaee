"""rpm's package database: the header blob format and the three storage formats that hold it.

`iter_blobs(data)` yields the header blobs of a database file in any of the three formats
(SQLite `rpmdb.sqlite`, Berkeley DB hash `Packages`, NDB `Packages.db`), told apart by
their magic numbers; `parse_header(blob)` reads one blob.
"""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.analyzers.rpmdb import bdb, ndb, sqlite
from hullguard.analyzers.rpmdb.header import RpmdbError, RpmHeader, parse_header

__all__ = ["RpmHeader", "RpmdbError", "iter_blobs", "parse_header"]


def iter_blobs(data: bytes, wal: bytes = b"") -> Iterator[bytes]:
    """`wal`: the SQLite write-ahead log next to an `rpmdb.sqlite`, when there is one."""
    if data.startswith(sqlite.MAGIC):
        return sqlite.iter_blobs(data, wal)
    if data.startswith(ndb.MAGIC):
        return ndb.iter_blobs(data)
    if bdb.is_hash_db(data):
        return bdb.iter_blobs(data)
    raise RpmdbError("not an rpm database: no SQLite, NDB or Berkeley DB hash magic")
