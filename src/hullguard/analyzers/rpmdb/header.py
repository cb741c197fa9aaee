"""rpm header blobs: an index of (tag, type, offset, count) entries over a data store.

A blob as the database keeps it is `il` (entry count) and `dl` (data length), both 32-bit
big-endian, then `il` 16-byte entries, then `dl` bytes of data. Strings are NUL-terminated;
integers are big-endian. Every offset and count is checked against the data store.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from hullguard.errors import AnalyzerError

MAX_ENTRIES = 0xFFFF
MAX_DATA = 0x0FFFFFFF
"""rpm's own limits (HEADER_TAGS_MAX, HEADER_DATA_MAX): anything larger is corrupt."""

NAME, VERSION, RELEASE, EPOCH, SUMMARY = 1000, 1001, 1002, 1003, 1004
SIZE, VENDOR, LICENSE, ARCH, SOURCERPM = 1009, 1011, 1014, 1022, 1044
LONGSIZE, MODULARITYLABEL = 5009, 5096

_CHAR, _INT8, _INT16, _INT32, _INT64 = 1, 2, 3, 4, 5
_STRING, _BIN, _STRING_ARRAY, _I18NSTRING = 6, 7, 8, 9
_INT_FORMATS = {_CHAR: "B", _INT8: "B", _INT16: "H", _INT32: "I", _INT64: "Q"}
_WANTED = frozenset({NAME, VERSION, RELEASE, EPOCH, SUMMARY, SIZE, VENDOR, LICENSE, ARCH})
_WANTED |= {SOURCERPM, LONGSIZE, MODULARITYLABEL}

Value = str | int | tuple[str, ...] | tuple[int, ...] | bytes


class RpmdbError(AnalyzerError):
    """An rpm database or header blob is not in the format it claims."""


@dataclass(frozen=True, slots=True)
class RpmHeader:
    tags: dict[int, Value]

    def string(self, tag: int) -> str | None:
        value = self.tags.get(tag)
        if isinstance(value, tuple):
            value = value[0] if value else None
        return value if isinstance(value, str) and value else None

    def integer(self, tag: int) -> int | None:
        value = self.tags.get(tag)
        if isinstance(value, tuple):
            value = value[0] if value else None
        return value if isinstance(value, int) else None


def parse_header(blob: bytes, tags: frozenset[int] = _WANTED) -> RpmHeader:
    """Read the `tags` of one header blob; raises `RpmdbError` on any inconsistency."""
    if len(blob) < 8:
        raise RpmdbError(f"header blob of {len(blob)} bytes is too short")
    il, dl = struct.unpack_from(">II", blob)
    if il > MAX_ENTRIES or dl > MAX_DATA:
        raise RpmdbError(f"header claims {il} entries and {dl} data bytes: beyond rpm's limits")
    start = 8 + 16 * il
    if start + dl > len(blob):
        raise RpmdbError(f"header needs {start + dl} bytes, the blob has {len(blob)}")
    data = blob[start : start + dl]
    found: dict[int, Value] = {}
    for i in range(il):
        tag, kind, offset, count = struct.unpack_from(">IIiI", blob, 8 + 16 * i)
        if tag not in tags:
            continue
        if offset < 0 or offset >= dl:
            raise RpmdbError(f"tag {tag}: offset {offset} is outside the {dl}-byte data store")
        if count == 0 or count > dl:
            raise RpmdbError(f"tag {tag}: count {count} does not fit the {dl}-byte data store")
        found[tag] = _value(data, kind, offset, count, tag)
    return RpmHeader(found)


def _value(data: bytes, kind: int, offset: int, count: int, tag: int) -> Value:
    if kind in _INT_FORMATS:
        fmt = f">{count}{_INT_FORMATS[kind]}"
        if offset + struct.calcsize(fmt) > len(data):
            raise RpmdbError(f"tag {tag}: {count} integers run past the data store")
        return tuple(struct.unpack_from(fmt, data, offset))
    if kind == _STRING:
        return _strings(data, offset, 1, tag)[0]
    if kind in (_STRING_ARRAY, _I18NSTRING):
        return _strings(data, offset, count, tag)
    if kind == _BIN:
        if offset + count > len(data):
            raise RpmdbError(f"tag {tag}: {count} bytes run past the data store")
        return data[offset : offset + count]
    raise RpmdbError(f"tag {tag}: unknown type {kind}")


def _strings(data: bytes, offset: int, count: int, tag: int) -> tuple[str, ...]:
    out = []
    for _ in range(count):
        end = data.find(b"\0", offset)
        if end < 0:
            raise RpmdbError(f"tag {tag}: string is not NUL-terminated")
        out.append(data[offset:end].decode("utf-8", errors="replace"))
        offset = end + 1
    return tuple(out)
