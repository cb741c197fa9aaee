"""Just enough ELF to find a named section and read bytes at a virtual address.

Go and cargo-auditable binaries need no more than the section table and the loadable
segments, so the headers are read here with `struct` rather than through an ELF library.
Every offset and size is checked against the file: a malformed binary raises ValueError.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

MAGIC = b"\x7fELF"
SHT_NOBITS = 8
PT_LOAD = 1
MAX_SECTIONS = 4096
MAX_NAMES = 1 << 20
"""Cap on the section-name table read by `find_section`."""


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    type: int
    addr: int
    offset: int
    size: int


@dataclass(frozen=True, slots=True)
class Segment:
    type: int
    offset: int
    vaddr: int
    filesz: int


@dataclass(frozen=True, slots=True)
class Elf:
    """An ELF file's headers; its bytes are read on demand through `read(offset, length)`, so a
    300 MB binary costs a few small reads."""

    read: Callable[[int, int], bytes]
    size: int
    little_endian: bool
    ptr_size: int
    sections: tuple[Section, ...]
    segments: tuple[Segment, ...]

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def section_bytes(self, name: str) -> bytes | None:
        s = self.section(name)
        if s is None or s.type == SHT_NOBITS:
            return None
        return self.read(s.offset, s.size)

    def read_at(self, vaddr: int, size: int) -> bytes | None:
        """`size` bytes at virtual address `vaddr`, from the loadable segment that holds them."""
        for seg in self.segments:
            if seg.type == PT_LOAD and seg.vaddr <= vaddr and vaddr + size <= seg.vaddr + seg.filesz:
                start = seg.offset + vaddr - seg.vaddr
                chunk = self.read(start, size) if start + size <= self.size else b""
                return chunk if len(chunk) == size else None
        return None


def is_elf(data: bytes) -> bool:
    return data[:4] == MAGIC


def parse_elf(data: bytes) -> Elf:
    return open_elf(lambda offset, length: data[offset : offset + length], len(data))


def open_elf(read: Callable[[int, int], bytes], size: int) -> Elf:
    """The headers of the `size`-byte ELF file that `read(offset, length)` reads: the ELF
    header, program headers, section table and section names, each one read."""
    try:
        h = _read_header(read)
        if h.phnum and (h.phentsize < (56 if h.wide else 32) or h.phoff + h.phnum * h.phentsize > size):
            raise ValueError("program header table lies outside the file")
        programs = read(h.phoff, h.phnum * h.phentsize) if h.phnum else b""
        segments = tuple(_segment(programs, h.end, h.wide, i * h.phentsize) for i in range(h.phnum))
        table, count = _section_table(read, size, h)
        raw = [_section(table, h.end, h.wide, i * h.shentsize, size) for i in range(count)]
        names = b""
        if 0 < h.shstrndx < len(raw) and raw[h.shstrndx][1] != SHT_NOBITS:
            _, _, _, off, length = raw[h.shstrndx]
            names = read(off, min(length, MAX_NAMES))
    except struct.error as e:  # every range is checked first; this is the backstop
        raise ValueError(f"malformed ELF headers: {e}") from e
    return Elf(
        read=read,
        size=size,
        little_endian=h.end == "<",
        ptr_size=8 if h.wide else 4,
        sections=_named(raw, names),
        segments=segments,
    )


NO_TABLE = "no section table"


def find_section(read_at: Callable[[int, int], bytes], size: int, name: str) -> Section | str | None:
    """The section called `name` of the `size`-byte ELF file that `read_at(offset, length)`
    reads, found in three small reads instead of the whole file; None when the file has no
    such section, NO_TABLE when it has no section headers (stripped) to tell.
    Raises ValueError for a file that is not ELF or whose table is malformed."""
    try:
        h = _read_header(read_at)
        table, count = _section_table(read_at, size, h)
        if not 0 < h.shstrndx < count:  # also when there is no table at all
            return NO_TABLE
        _, kind, _, off, length = _section(table, h.end, h.wide, h.shstrndx * h.shentsize, size)
        names = read_at(off, min(length, MAX_NAMES)) if kind != SHT_NOBITS else b""
        at = names.find(b"\0" + name.encode() + b"\0") + 1  # the name's offset in the table
        if at == 0:
            return None
        for i in range(count):  # only the name field of each header until the one that matches
            if struct.unpack_from(h.end + "I", table, i * h.shentsize)[0] == at:
                _, kind, addr, off, length = _section(table, h.end, h.wide, i * h.shentsize, size)
                return Section(name=name, type=kind, addr=addr, offset=off, size=length)
        return None
    except struct.error as e:
        raise ValueError(f"malformed ELF headers: {e}") from e


@dataclass(frozen=True, slots=True)
class _Header:
    end: str
    wide: bool
    phoff: int
    shoff: int
    phentsize: int
    phnum: int
    shentsize: int
    shnum: int
    shstrndx: int


def _read_header(read: Callable[[int, int], bytes]) -> _Header:
    head = read(0, 64)
    if not is_elf(head):
        raise ValueError("not an ELF file")
    return _header(head)


def _section_table(read: Callable[[int, int], bytes], size: int, h: _Header) -> tuple[bytes, int]:
    """The section header table and its entry count (0 and nothing when there is none)."""
    count = min(h.shnum, MAX_SECTIONS) if h.shoff else 0
    if not count:
        return b"", 0
    if h.shentsize < (64 if h.wide else 40) or h.shoff + count * h.shentsize > size:
        raise ValueError("section header table lies outside the file")
    return read(h.shoff, count * h.shentsize), count


def _header(data: bytes) -> _Header:
    ei_class, ei_data = data[4], data[5]
    if ei_class not in (1, 2) or ei_data not in (1, 2):
        raise ValueError(f"unknown ELF class {ei_class} or data encoding {ei_data}")
    wide = ei_class == 2
    if len(data) < (64 if wide else 52):
        raise ValueError("ELF header is truncated")
    end = "<" if ei_data == 1 else ">"
    if wide:
        phoff, shoff = struct.unpack_from(end + "QQ", data, 32)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(end + "HHHHH", data, 54)
    else:
        phoff, shoff = struct.unpack_from(end + "II", data, 28)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(end + "HHHHH", data, 42)
    return _Header(end, wide, phoff, shoff, phentsize, phnum, shentsize, shnum, shstrndx)


def _named(raw: list[tuple[int, int, int, int, int]], names: bytes) -> tuple[Section, ...]:
    return tuple(
        Section(name=_cstring(names, n), type=t, addr=addr, offset=off, size=size)
        for n, t, addr, off, size in raw
    )


def _segment(data: bytes, end: str, wide: bool, at: int) -> Segment:
    _check(data, at, 56 if wide else 32, "program header")
    if wide:
        p_type, _, offset, vaddr, _, filesz = struct.unpack_from(end + "IIQQQQ", data, at)
    else:
        p_type, offset, vaddr, _, filesz = struct.unpack_from(end + "IIIII", data, at)
    return Segment(type=p_type, offset=offset, vaddr=vaddr, filesz=filesz)


def _section(data: bytes, end: str, wide: bool, at: int, file_size: int) -> tuple[int, int, int, int, int]:
    _check(data, at, 64 if wide else 40, "section header")
    if wide:
        name, s_type, _, addr, offset, size = struct.unpack_from(end + "IIQQQQ", data, at)
    else:
        name, s_type, _, addr, offset, size = struct.unpack_from(end + "IIIIII", data, at)
    if s_type != SHT_NOBITS and offset + size > file_size:
        raise ValueError(f"section at {at:#x} runs past the end of the file")
    return name, s_type, addr, offset, size


def _check(data: bytes, at: int, size: int, what: str) -> None:
    if at < 0 or at + size > len(data):
        raise ValueError(f"{what} at {at:#x} lies outside the file ({len(data)} bytes)")


def _cstring(table: bytes, at: int) -> str:
    if at >= len(table):
        return ""
    end = table.find(b"\0", at)
    return table[at : end if end >= 0 else len(table)].decode("ascii", errors="replace")
