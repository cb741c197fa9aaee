"""A fast reader of tar headers for verified, seekable layer blobs.

`tarfile` spends most of a layer scan decoding headers field by field. This reads the
common cases - ustar/GNU/v7 headers, GNU long names (`L`, `K`) and per-file pax records -
with one header read per member and no file contents, into the same `TarInfo` values
`tarfile` makes. Anything else (global pax headers, sparse files, charset overrides, a bad
checksum, a header past the end) raises `Unsupported`, and the caller lets `tarfile` read the
whole layer instead, so the tree is never built from half of one reader and half of another.
"""

from __future__ import annotations

import tarfile
from collections.abc import Callable

BLOCK = 512
_SKIP = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE)
_PLAIN = frozenset(
    (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.LNKTYPE, tarfile.SYMTYPE, tarfile.CHRTYPE,
     tarfile.BLKTYPE, tarfile.DIRTYPE, tarfile.FIFOTYPE, tarfile.CONTTYPE)
)  # fmt: skip
_PAX_KEYS = frozenset((b"path", b"linkpath", b"size", b"mtime", b"atime", b"ctime", b"uid", b"gid",
                       b"uname", b"gname"))  # fmt: skip
MAX_META = 1 << 20


class Unsupported(Exception):
    """A header this reader leaves to `tarfile`."""


def read_members(read_at: Callable[[int, int], bytes], size: int) -> list[tarfile.TarInfo]:
    """Every member of the `size`-byte tar that `read_at(offset, length)` reads."""
    members: list[tarfile.TarInfo] = []
    offset = 0
    longname: bytes | None = None
    longlink: bytes | None = None
    pax: dict[bytes, bytes] = {}
    while offset + BLOCK <= size:
        header = read_at(offset, BLOCK)
        if len(header) < BLOCK or not any(header):
            break  # the end-of-archive zero block (tarfile stops there too)
        if _number(header[148:156]) != sum(header[:148]) + 256 + sum(header[156:]):
            raise Unsupported("bad header checksum")
        kind = header[156:157]
        length = _number(header[124:136])
        data = offset + BLOCK
        if kind in _SKIP:
            if length > MAX_META or data + length > size:
                raise Unsupported("extended header too large or past the end")
            payload = read_at(data, length)
            if kind == tarfile.GNUTYPE_LONGNAME:
                longname = payload.split(b"\0", 1)[0]
            elif kind == tarfile.GNUTYPE_LONGLINK:
                longlink = payload.split(b"\0", 1)[0]
            else:
                pax = _pax(payload)
            offset = data + _padded(length)
            continue
        if kind not in _PLAIN:
            raise Unsupported(f"tar entry type {kind!r}")
        name = header[0:100].split(b"\0", 1)[0]
        if header[257:262] == b"ustar" and header[263:265] != b" \0":  # POSIX prefix, not GNU
            prefix = header[345:500].split(b"\0", 1)[0]
            if prefix:
                name = prefix + b"/" + name
        link = header[157:257].split(b"\0", 1)[0]
        name = pax.get(b"path", longname if longname is not None else name)
        link = pax.get(b"linkpath", longlink if longlink is not None else link)
        if b"size" in pax:
            length = _decimal(pax[b"size"])
        member = tarfile.TarInfo(_text(name))
        member.type = kind
        if kind == tarfile.AREGTYPE and member.name.endswith("/"):
            member.type = tarfile.DIRTYPE  # v7 writes folders as files with a trailing slash
        if member.type == tarfile.DIRTYPE:
            member.name = member.name.rstrip("/")
        member.mode = _number(header[100:108])
        member.linkname = _text(link)
        member.size = length
        member.offset = offset
        member.offset_data = data
        end = data + (_padded(length) if member.isreg() else 0)
        if member.isreg() and data + length > size:
            raise Unsupported("member past the end of the blob")
        members.append(member)
        longname = longlink = None
        pax = {}
        offset = end
    return members


def _number(field: bytes) -> int:
    if field[:1] in (b"\x80", b"\xff"):  # GNU base-256
        value = int.from_bytes(field[1:], "big")
        return -value if field[:1] == b"\xff" else value
    text = field.split(b"\0", 1)[0].strip()
    try:
        return int(text, 8) if text else 0
    except ValueError:
        raise Unsupported(f"bad number field {field!r}") from None


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


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="surrogateescape")
