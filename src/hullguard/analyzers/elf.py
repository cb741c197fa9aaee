"""Just enough ELF to find a named section and read bytes at a virtual address.

Go and cargo-auditable binaries need no more than the section table and the loadable
segments, so the headers are read here with `struct` rather than through an ELF library.
Every offset and size is checked against the file: a malformed binary raises ValueError.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAGIC = b"\x7fELF"
SHT_NOBITS = 8
PT_LOAD = 1
MAX_SECTIONS = 4096


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
    data: bytes
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
        return self.data[s.offset : s.offset + s.size]

    def read_at(self, vaddr: int, size: int) -> bytes | None:
        """`size` bytes at virtual address `vaddr`, from the loadable segment that holds them."""
        for seg in self.segments:
            if seg.type == PT_LOAD and seg.vaddr <= vaddr and vaddr + size <= seg.vaddr + seg.filesz:
                start = seg.offset + vaddr - seg.vaddr
                chunk = self.data[start : start + size]
                return chunk if len(chunk) == size else None
        return None


def is_elf(data: bytes) -> bool:
    return data[:4] == MAGIC


def parse_elf(data: bytes) -> Elf:
    try:
        return _parse(data)
    except struct.error as e:  # every range is checked first; this is the backstop
        raise ValueError(f"malformed ELF headers: {e}") from e


def _parse(data: bytes) -> Elf:
    if not is_elf(data):
        raise ValueError("not an ELF file")
    ei_class, ei_data = data[4], data[5]
    if ei_class not in (1, 2) or ei_data not in (1, 2):
        raise ValueError(f"unknown ELF class {ei_class} or data encoding {ei_data}")
    if len(data) < (64 if ei_class == 2 else 52):
        raise ValueError("ELF header is truncated")
    end = "<" if ei_data == 1 else ">"
    wide = ei_class == 2
    if wide:
        (phoff, shoff) = struct.unpack_from(end + "QQ", data, 32)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(end + "HHHHH", data, 54)
    else:
        (phoff, shoff) = struct.unpack_from(end + "II", data, 28)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(end + "HHHHH", data, 42)
    segments = tuple(_segment(data, end, wide, phoff + i * phentsize) for i in range(phnum))
    raw = [_section(data, end, wide, shoff + i * shentsize) for i in range(min(shnum, MAX_SECTIONS))]
    names = b""
    if 0 < shstrndx < len(raw) and raw[shstrndx][1] != SHT_NOBITS:
        _, _, _, off, size = raw[shstrndx]
        names = data[off : off + size]
    sections = tuple(
        Section(name=_cstring(names, n), type=t, addr=addr, offset=off, size=size)
        for n, t, addr, off, size in raw
    )
    return Elf(
        data=data, little_endian=ei_data == 1, ptr_size=8 if wide else 4, sections=sections, segments=segments
    )


def _segment(data: bytes, end: str, wide: bool, at: int) -> Segment:
    _check(data, at, 56 if wide else 32, "program header")
    if wide:
        p_type, _, offset, vaddr, _, filesz = struct.unpack_from(end + "IIQQQQ", data, at)
    else:
        p_type, offset, vaddr, _, filesz = struct.unpack_from(end + "IIIII", data, at)
    return Segment(type=p_type, offset=offset, vaddr=vaddr, filesz=filesz)


def _section(data: bytes, end: str, wide: bool, at: int) -> tuple[int, int, int, int, int]:
    _check(data, at, 64 if wide else 40, "section header")
    if wide:
        name, s_type, _, addr, offset, size = struct.unpack_from(end + "IIQQQQ", data, at)
    else:
        name, s_type, _, addr, offset, size = struct.unpack_from(end + "IIIIII", data, at)
    if s_type != SHT_NOBITS and offset + size > len(data):
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
