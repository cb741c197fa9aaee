"""rpm's NDB backend (`Packages.db`, SUSE): a slot table pointing at blobs, little-endian.

The file starts with slot pages of 4096 bytes. Their first 16-byte slots hold the database
header (`RpmP`, version, generation, number of slot pages); every later slot is `Slot`,
package index, block offset, block count, with 0 as the index of a free slot. A blob lives
at `block offset * 16`: `BlbS`, package index, checksum, length, then the header blob.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from hullguard.analyzers.rpmdb.header import RpmdbError

MAGIC = b"RpmP"
_SLOT_MAGIC = b"Slot"
_BLOB_MAGIC = b"BlbS"
_PAGE = 4096
_SLOT = 16
_BLOCK = 16
_HEADER_SLOTS = 2
MAX_SLOT_PAGES = 1 << 12


def iter_blobs(data: bytes) -> Iterator[bytes]:
    if len(data) < _PAGE:
        raise RpmdbError("NDB database shorter than one slot page")
    version, _generation, slot_pages = struct.unpack_from("<III", data, 4)
    if version != 0:
        raise RpmdbError(f"NDB database version {version} is not supported (expected 0)")
    if not 0 < slot_pages <= MAX_SLOT_PAGES or slot_pages * _PAGE > len(data):
        raise RpmdbError(f"NDB database claims {slot_pages} slot pages in {len(data)} bytes")
    for at in range(_HEADER_SLOTS * _SLOT, slot_pages * _PAGE, _SLOT):
        magic, index, block, _blocks = struct.unpack_from("<4sIII", data, at)
        if magic != _SLOT_MAGIC:
            raise RpmdbError(f"NDB slot at byte {at} has bad magic {magic!r}")
        if index == 0:
            continue
        yield _blob(data, index, block * _BLOCK)


def _blob(data: bytes, index: int, at: int) -> bytes:
    if at + 16 > len(data):
        raise RpmdbError(f"NDB package {index}: blob offset {at} is past the end of the file")
    magic, blob_index, _checksum, length = struct.unpack_from("<4sIII", data, at)
    if magic != _BLOB_MAGIC or blob_index != index:
        raise RpmdbError(f"NDB package {index}: no blob at byte {at}")
    if at + 16 + length > len(data):
        raise RpmdbError(f"NDB package {index}: blob of {length} bytes runs past the end of the file")
    return data[at + 16 : at + 16 + length]
