"""Write small ELF files by the published layout, for formats no toolchain here produces
(Go < 1.18 build info, 32-bit big-endian) and for sections such as cargo-auditable's."""

from __future__ import annotations

import struct

BASE = 0x400000


def build_elf(
    sections: list[tuple[str, bytes]],
    *,
    wide: bool = True,
    big: bool = False,
    with_section_headers: bool = True,
) -> tuple[bytes, dict[str, int]]:
    """An ELF executable with one PT_LOAD over the whole file and the given sections.
    Returns the bytes and each section's virtual address (file offset + BASE)."""
    end = ">" if big else "<"
    ehsize, phsize, shsize = (64, 56, 64) if wide else (52, 32, 40)
    body = bytearray()
    offsets: dict[str, int] = {}
    at = ehsize + phsize
    for name, data in sections:
        pad = (-at - len(body)) % 16
        body += b"\0" * pad
        offsets[name] = at + len(body)
        body += data
    names = b"\0" + b"".join(n.encode() + b"\0" for n, _ in sections) + b".shstrtab\0"
    shstr_off = at + len(body)
    body += names
    shoff = at + len(body)
    shoff += (-shoff) % 8
    body += b"\0" * ((-(at + len(body))) % 8)
    headers = [struct.pack(end + ("IIQQQQIIQQ" if wide else "IIIIIIIIII"), *([0] * 10))]
    name_at = 1
    for name, data in sections:
        fields = (name_at, 1, 2, BASE + offsets[name], offsets[name], len(data), 0, 0, 1, 0)
        headers.append(struct.pack(end + ("IIQQQQIIQQ" if wide else "IIIIIIIIII"), *fields))
        name_at += len(name) + 1
    headers.append(
        struct.pack(
            end + ("IIQQQQIIQQ" if wide else "IIIIIIIIII"),
            name_at,
            3,
            0,
            0,
            shstr_off,
            len(names),
            0,
            0,
            1,
            0,
        )
    )
    body += b"".join(headers)
    total = at + len(body)
    ident = b"\x7fELF" + bytes([2 if wide else 1, 2 if big else 1, 1]) + b"\0" * 9
    shnum = len(headers) if with_section_headers else 0
    if wide:
        header = ident + struct.pack(
            end + "HHIQQQIHHHHHH",
            2,
            62,
            1,
            BASE,
            ehsize,
            shoff if shnum else 0,
            0,
            ehsize,
            phsize,
            1,
            shsize,
            shnum,
            shnum - 1 if shnum else 0,
        )
        phdr = struct.pack(end + "IIQQQQQQ", 1, 5, 0, BASE, BASE, total, total, 0x1000)
    else:
        header = ident + struct.pack(
            end + "HHIIIIIHHHHHH",
            2,
            8,
            1,
            BASE,
            ehsize,
            shoff if shnum else 0,
            0,
            ehsize,
            phsize,
            1,
            shsize,
            shnum,
            shnum - 1 if shnum else 0,
        )
        phdr = struct.pack(end + "IIIIIIII", 1, 0, BASE, BASE, total, total, 5, 0x1000)
    return header + phdr + bytes(body), {k: BASE + v for k, v in offsets.items()}


SENTINEL_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
SENTINEL_END = bytes.fromhex("f932433186182072008242104116d8f2")


def old_go_binary(version: str, modinfo: str, *, wide: bool = True, big: bool = False) -> bytes:
    """A Go < 1.18 layout: the build info header points at two Go string headers."""
    ptr = 8 if wide else 4
    order, word = (">" if big else "<"), ("Q" if wide else "I")
    mod = SENTINEL_START + modinfo.encode() + SENTINEL_END
    # First pass finds the addresses; the strings section layout does not depend on them.
    strings = version.encode() + mod
    _, addrs = build_elf(
        [(".go.buildinfo", b"\0" * 32), (".rodata", strings), (".data", b"\0" * 4 * ptr)], wide=wide, big=big
    )
    rodata, data = addrs[".rodata"], addrs[".data"]
    headers = struct.pack(order + word * 4, rodata, len(version), rodata + len(version), len(mod))
    info = (
        b"\xff Go buildinf:"
        + bytes([ptr, 1 if big else 0])
        + struct.pack(order + word * 2, data, data + 2 * ptr)
    )
    info += b"\0" * (32 - len(info))
    elf, _ = build_elf(
        [(".go.buildinfo", info), (".rodata", strings), (".data", headers)], wide=wide, big=big
    )
    return elf
