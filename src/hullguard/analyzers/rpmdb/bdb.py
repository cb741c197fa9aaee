"""rpm's Berkeley DB backend (`Packages`): a hash database read page by page, without libdb.

Page 0 is the hash metadata page: magic 0x061561 at byte 12 (its byte order is the file's),
page size at 20, encryption at 24, last page number at 32. Hash pages (types 2 and 13) hold
key/value items in pairs, found through an offset index after the 26-byte page header.
An item is inline (`H_KEYDATA`, type 1) or stored on a chain of overflow pages
(`H_OFFPAGE`, type 3: first page and total length). rpm's keys are header instance
numbers; instance 0 is bookkeeping, not a package.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from hullguard.analyzers.rpmdb.header import RpmdbError

_HASH_MAGIC = 0x061561
_PAGE_HEADER = 26
_HASH_PAGES = frozenset({2, 13})
_OVERFLOW_PAGE = 7
_KEYDATA, _OFFPAGE = 1, 3
_NO_KEY = b"\0\0\0\0"


def byte_order(data: bytes) -> str | None:
    """`<` or `>` when `data` starts with a Berkeley DB hash metadata page."""
    if len(data) < 72:
        return None
    for order in "<>":
        if struct.unpack_from(f"{order}I", data, 12)[0] == _HASH_MAGIC:
            return order
    return None


def is_hash_db(data: bytes) -> bool:
    return byte_order(data) is not None


def iter_blobs(data: bytes) -> Iterator[bytes]:
    order = byte_order(data)
    if order is None:
        raise RpmdbError("not a Berkeley DB hash database")
    page_size = struct.unpack_from(f"{order}I", data, 20)[0]
    if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        raise RpmdbError(f"Berkeley DB page size {page_size} is not a power of two in 512..65536")
    if data[24] != 0:
        raise RpmdbError("encrypted Berkeley DB databases are not supported")
    last = struct.unpack_from(f"{order}I", data, 32)[0]
    pages = _Pages(data, page_size, order)
    for number in range(1, min(last, len(data) // page_size - 1) + 1):
        page = pages.page(number)
        if page[25] not in _HASH_PAGES:
            continue
        items = pages.items(page)
        for key, value in zip(items[0::2], items[1::2], strict=False):
            if key != _NO_KEY:
                yield value


class _Pages:
    def __init__(self, data: bytes, page_size: int, order: str) -> None:
        self.data, self.page_size, self.order = data, page_size, order

    def page(self, number: int) -> bytes:
        start = number * self.page_size
        if start + self.page_size > len(self.data):
            raise RpmdbError(f"Berkeley DB page {number} is past the end of the file")
        return self.data[start : start + self.page_size]

    def items(self, page: bytes) -> list[bytes]:
        entries = struct.unpack_from(f"{self.order}H", page, 20)[0]
        if _PAGE_HEADER + 2 * entries > len(page):
            raise RpmdbError(f"Berkeley DB hash page claims {entries} items")
        offsets = struct.unpack_from(f"{self.order}{entries}H", page, _PAGE_HEADER)
        items = []
        end = len(page)
        for offset in offsets:
            if not _PAGE_HEADER <= offset < end:
                raise RpmdbError(f"Berkeley DB hash item at offset {offset} is outside its page")
            items.append(self.item(page[offset:end]))
            end = offset
        return items

    def item(self, raw: bytes) -> bytes:
        if raw[0] == _KEYDATA:
            return raw[1:]
        if raw[0] == _OFFPAGE and len(raw) >= 12:
            first, length = struct.unpack_from(f"{self.order}II", raw, 4)
            return self.overflow(first, length)
        raise RpmdbError(f"Berkeley DB hash item of type {raw[0]} is not supported")

    def overflow(self, number: int, length: int) -> bytes:
        chunks: list[bytes] = []
        have = 0
        seen: set[int] = set()
        while number and have < length:
            if number in seen:
                raise RpmdbError(f"Berkeley DB overflow chain loops at page {number}")
            seen.add(number)
            page = self.page(number)
            if page[25] != _OVERFLOW_PAGE:
                raise RpmdbError(f"Berkeley DB page {number} is not an overflow page")
            used = struct.unpack_from(f"{self.order}H", page, 22)[0]
            chunks.append(page[_PAGE_HEADER : _PAGE_HEADER + used])
            have += len(chunks[-1])
            number = struct.unpack_from(f"{self.order}I", page, 16)[0]
        if have < length:
            raise RpmdbError(f"Berkeley DB overflow item ends after {have} of {length} bytes")
        return b"".join(chunks)[:length]
