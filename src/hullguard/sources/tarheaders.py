"""A fast reader of tar headers for verified, seekable layer blobs.

`tarfile` spends most of a layer scan decoding headers field by field. This reads the
common cases - ustar/GNU/v7 headers, GNU long names (`L`, `K`) and per-file pax records -
with one header read per member and no file contents, into `Member` values that carry what
`tarfile.TarInfo` would (`TarMember` is either). Anything else (global pax headers, sparse
files, charset overrides, a bad checksum, a header past the end) raises `Unsupported`, and the
caller lets `tarfile` read the whole layer instead, so the tree is never built from half of one reader and half of another.
"""

from __future__ import annotations

import io
import tarfile
import zlib
from collections.abc import Callable, Iterator
from typing import IO, cast

BLOCK = 512
_SKIP = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE)
_PLAIN = frozenset(
    (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.LNKTYPE, tarfile.SYMTYPE, tarfile.CHRTYPE,
     tarfile.BLKTYPE, tarfile.DIRTYPE, tarfile.FIFOTYPE, tarfile.CONTTYPE)
)  # fmt: skip
_PAX_KEYS = frozenset((b"path", b"linkpath", b"size", b"mtime", b"atime", b"ctime", b"uid", b"gid",
                       b"uname", b"gname"))  # fmt: skip
MAX_META = 1 << 20
_ZERO_BLOCK = bytes(BLOCK)
_REGULAR = frozenset(tarfile.REGULAR_TYPES)


class Unsupported(Exception):
    """A header this reader leaves to `tarfile`."""


def read_members(read_at: Callable[[int, int], bytes], size: int) -> list[Member]:
    """Every member of the `size`-byte tar that `read_at(offset, length)` reads."""
    members: list[Member] = []
    headers = _Headers()
    offset = 0
    while offset + BLOCK <= size:
        header = read_at(offset, BLOCK)
        if len(header) < BLOCK or header == _ZERO_BLOCK:
            break  # the end-of-archive zero block (tarfile stops there too)
        kind, length = headers.check(header)
        data = offset + BLOCK
        if kind in _SKIP:
            if length > MAX_META or data + length > size:
                raise Unsupported("extended header too large or past the end")
            headers.extend(kind, read_at(data, length))
            offset = data + _padded(length)
            continue
        member = headers.member(header, kind, length, offset)
        regular = member.type in _REGULAR
        if regular and data + member.size > size:
            raise Unsupported("member past the end of the blob")
        members.append(member)
        offset = data + _padded(member.size) if regular else data
    return members


class TarStream:
    """The members of a tar read front to back from a stream, with this module's header
    parsing (tarfile's stream mode costs seven times as much per header).

    Iterate `members()`; a member's content is read with `open(member)` before the next one
    is asked for, or skipped. `Unsupported` leaves the stream at the start of the member it
    could not read: `unread` holds that member's header bytes, and tarfile can go on from
    `unread` followed by the rest of the stream.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._left = 0
        self.unread = bytearray()

    def members(self) -> Iterator[Member]:
        headers = _Headers()
        offset = 0
        while True:
            self._skip()
            self.unread = bytearray()
            header = self._take(BLOCK)
            if len(header) < BLOCK or header == _ZERO_BLOCK:
                return
            kind, length = headers.check(header)
            data = offset + BLOCK
            if kind in _SKIP:
                if length > MAX_META:
                    raise Unsupported("extended header too large")
                payload = self._take(_padded(length))
                if len(payload) < length:
                    raise tarfile.ReadError("unexpected end of data")
                headers.extend(kind, payload[:length])
                offset = data + _padded(length)
                continue
            member = headers.member(header, kind, length, offset)
            self._left = _padded(member.size) if member.type in _REGULAR else 0
            offset = data + self._left
            yield member

    def open(self, member: Member) -> IO[bytes]:
        """The content of the member `members()` just gave, as a stream."""
        return cast(IO[bytes], io.BufferedReader(_Content(self, member.size), 1 << 20))

    def _read(self, n: int) -> bytes:
        data = self._raw.read(n)
        self._left -= len(data)
        return data

    def _take(self, n: int) -> bytes:
        """`n` bytes, fewer only at the end of the stream; kept in `unread`."""
        data = self._raw.read(n)
        while data and len(data) < n:
            more = self._raw.read(n - len(data))
            if not more:
                break
            data += more
        self.unread += data
        return data

    def _skip(self) -> None:
        while self._left > 0:
            if not self._read(min(self._left, 1 << 20)):
                raise tarfile.ReadError("unexpected end of data")


class _Content(io.RawIOBase):
    def __init__(self, stream: TarStream, size: int) -> None:
        self._stream = stream
        self._size = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._size <= 0:
            return 0
        data = self._stream._read(min(len(buffer), self._size))
        if not data:
            raise tarfile.ReadError("unexpected end of data")
        self._size -= len(data)
        buffer[: len(data)] = data
        return len(data)


class _Headers:
    """What both readers share: a header block's checksum, and the extended headers (GNU long
    names, per-file pax records) that apply to the member after them."""

    def __init__(self) -> None:
        self._longname: bytes | None = None
        self._longlink: bytes | None = None
        self._pax: dict[bytes, bytes] = {}

    def check(self, header: bytes) -> tuple[bytes, int]:
        """The entry type and the size field of a header block whose checksum is right."""
        stored = header[148:156]
        if not _checksum_ok(header, _number(stored) - 256 + sum(stored)):
            raise Unsupported("bad header checksum")
        return header[156:157], _number(header[124:136])

    def extend(self, kind: bytes, payload: bytes) -> None:
        if kind == tarfile.GNUTYPE_LONGNAME:
            self._longname = payload.split(b"\0", 1)[0]
        elif kind == tarfile.GNUTYPE_LONGLINK:
            self._longlink = payload.split(b"\0", 1)[0]
        else:
            self._pax = _pax(payload)

    def member(self, header: bytes, kind: bytes, length: int, offset: int) -> Member:
        if kind not in _PLAIN:
            raise Unsupported(f"tar entry type {kind!r}")
        name = header[0:100].split(b"\0", 1)[0]
        if header[257:262] == b"ustar" and header[263:265] != b" \0":  # POSIX prefix, not GNU
            prefix = header[345:500].split(b"\0", 1)[0]
            if prefix:
                name = prefix + b"/" + name
        link = header[157:257].split(b"\0", 1)[0]
        if self._longname is not None:
            name, self._longname = self._longname, None
        if self._longlink is not None:
            link, self._longlink = self._longlink, None
        if self._pax:
            name = self._pax.get(b"path", name)
            link = self._pax.get(b"linkpath", link)
            if b"size" in self._pax:
                length = _decimal(self._pax[b"size"])
            self._pax = {}
        text = name.decode("utf-8", "surrogateescape")
        if kind == tarfile.AREGTYPE and name.endswith(b"/"):
            kind = tarfile.DIRTYPE  # v7 writes folders as files with a trailing slash
        if kind == tarfile.DIRTYPE:
            text = text.rstrip("/")
        return Member(
            text, kind, _number(header[100:108]), link.decode("utf-8", "surrogateescape") if link else "", length, offset
        )


class Member:
    """One member, as much of `tarfile.TarInfo` as the layer reader uses (a tenth of its cost
    to make). Only regular files have a size to skip: `size` of anything else is ignored."""

    __slots__ = ("linkname", "mode", "name", "offset", "offset_data", "size", "type")

    def __init__(self, name: str, type: bytes, mode: int, linkname: str, size: int, offset: int) -> None:
        self.name = name
        self.type = type
        self.mode = mode
        self.linkname = linkname
        self.size = size
        self.offset = offset
        self.offset_data = offset + BLOCK

    def isreg(self) -> bool:
        return self.type in _REGULAR

    def islnk(self) -> bool:
        return self.type == tarfile.LNKTYPE

    def issym(self) -> bool:
        return self.type == tarfile.SYMTYPE

    def isdir(self) -> bool:
        return self.type == tarfile.DIRTYPE


def _checksum_ok(header: bytes, byte_sum: int) -> bool:
    """Whether the bytes of `header` add up to `byte_sum` (the stored checksum, with its own
    field counted as stored rather than as eight spaces).

    Adler-32's low half is 1 + the byte sum modulo 65521, computed in C: ten times faster
    than `sum()` over 512 bytes, a tenth of all header parsing. A header's byte sum is below
    2 x 65521, so only a damage that moves the sum by exactly 65521 could pass; any change of
    fewer than 257 bytes cannot."""
    return zlib.adler32(header) & 0xFFFF == (1 + byte_sum) % 65521


def _number(field: bytes) -> int:
    try:  # the common case: octal digits, NUL- or space-terminated (int() allows the spaces)
        return int(field.split(b"\0", 1)[0] or b"0", 8)
    except ValueError:
        pass
    if field[:1] in (b"\x80", b"\xff"):  # GNU base-256
        value = int.from_bytes(field[1:], "big")
        return -value if field[:1] == b"\xff" else value
    if not field.split(b"\0", 1)[0].strip():
        return 0
    raise Unsupported(f"bad number field {field!r}")


def _decimal(text: bytes) -> int:
    if not text.isdigit():
        raise Unsupported(f"bad pax number {text!r}")
    return int(text)


def _pax(payload: bytes) -> dict[bytes, bytes]:
    records: dict[bytes, bytes] = {}
    at = 0
    while at < len(payload) and payload[at : at + 1] != b"\0":
        space = payload.find(b" ", at)
        if space < 0:
            raise Unsupported("malformed pax record")
        length = _decimal(payload[at:space])
        if length <= space - at:
            raise Unsupported("malformed pax record length")
        key, _, value = payload[space + 1 : at + length - 1].partition(b"=")
        if key not in _PAX_KEYS and not key.startswith((b"SCHILY.xattr.", b"LIBARCHIVE.xattr.")):
            raise Unsupported(f"pax record {key!r}")
        records[key] = value
        at += length
    return records


def _padded(n: int) -> int:
    return (n + BLOCK - 1) & ~(BLOCK - 1)


TarMember = Member | tarfile.TarInfo
"""A member from this module's reader or, where it declined, from `tarfile`."""
