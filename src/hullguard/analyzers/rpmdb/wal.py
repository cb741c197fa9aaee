"""SQLite's write-ahead log, replayed onto the database image in memory.

rpm keeps rpmdb.sqlite in WAL mode and checkpoints when it closes; an image built by a
process that did not close cleanly ships committed transactions only in `rpmdb.sqlite-wal`.
The format (sqlite.org/fileformat.html, "The WAL File Format"): a 32-byte header (magic,
version, page size, checkpoint sequence, two salts, checksum), then frames of a 24-byte
header (page number, database size after commit or 0, the salts, a running checksum) and
one page. Frames count up to the last valid commit frame; everything after is ignored.
"""

from __future__ import annotations

import struct

from hullguard.analyzers.rpmdb.header import RpmdbError

_MAGIC = 0x377F0682
_HEADER = 32
_FRAME_HEADER = 24


def apply_wal(database: bytes, wal: bytes) -> bytes:
    """The database as a reader would see it with the WAL's committed frames applied."""
    if len(wal) < _HEADER:
        return database
    magic, _version, page_size, _sequence, salt1, salt2 = struct.unpack_from(">6I", wal)
    if magic & ~1 != _MAGIC:
        raise RpmdbError("rpmdb.sqlite-wal is not an SQLite write-ahead log")
    if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        raise RpmdbError(f"rpmdb.sqlite-wal has page size {page_size}")
    order = ">" if magic & 1 else "<"
    checksum = _checksum(wal[:24], (0, 0), order)
    if checksum != struct.unpack_from(">2I", wal, 24):
        return database  # a log whose header does not verify holds nothing committed
    pages: dict[int, bytes] = {}
    committed: dict[int, bytes] = {}
    size = len(database) // page_size
    at = _HEADER
    while at + _FRAME_HEADER + page_size <= len(wal):
        number, commit_size, frame_salt1, frame_salt2 = struct.unpack_from(">4I", wal, at)
        page = wal[at + _FRAME_HEADER : at + _FRAME_HEADER + page_size]
        checksum = _checksum(page, _checksum(wal[at : at + 8], checksum, order), order)
        if (frame_salt1, frame_salt2) != (salt1, salt2) or checksum != struct.unpack_from(
            ">2I", wal, at + 16
        ):
            break
        pages[number] = page
        if commit_size:
            committed.update(pages)
            pages.clear()
            size = commit_size
        at += _FRAME_HEADER + page_size
    if not committed:
        return database
    image = bytearray(database[: size * page_size].ljust(size * page_size, b"\0"))
    for number, page in committed.items():
        if 1 <= number <= size:
            image[(number - 1) * page_size : number * page_size] = page
    return bytes(image)


def _checksum(data: bytes, seed: tuple[int, int], order: str) -> tuple[int, int]:
    s0, s1 = seed
    words = struct.unpack(f"{order}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1
