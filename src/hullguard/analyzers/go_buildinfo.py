"""The build info the Go linker embeds in every binary: Go version, modules, build settings.

The blob starts with the magic `\\xff Go buildinf:`, in the `.go.buildinfo` section (found by
scanning when section headers are stripped). Since Go 1.18 the version and module strings
follow the 32-byte header inline, each with a uvarint length; before, the header holds two
pointers to Go string headers elsewhere in the image. Malformed data raises ValueError.
"""

from __future__ import annotations

import json
import re
import shlex
import struct
from collections.abc import Callable
from dataclasses import dataclass

from hullguard.analyzers.elf import Elf, parse_elf

BUILDINFO_MAGIC = b"\xff Go buildinf:"
HEADER_SIZE = 32
FLAG_BIG_ENDIAN = 0x1
FLAG_INLINE = 0x2
MAX_STRING = 1 << 20
MAX_BLOB = HEADER_SIZE + 2 * (MAX_STRING + 10)
"""The most an inline build info can span: the header and two uvarint-prefixed strings."""
_SEMVER = re.compile(r"v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")


@dataclass(frozen=True, slots=True)
class Module:
    path: str
    version: str
    replace: Module | None = None


@dataclass(frozen=True, slots=True)
class BuildInfo:
    go_version: str
    path: str | None
    main: Module | None
    deps: tuple[Module, ...]
    settings: tuple[tuple[str, str], ...] = ()
    """`build` lines: `-ldflags`, `GOOS`, `vcs.revision`, ..."""


def read_build_info(data: bytes) -> BuildInfo | None:
    """The build info of an ELF Go binary, or None when it is not one."""
    return build_info(parse_elf(data), lambda: _blob_at(data, data.find(BUILDINFO_MAGIC)))


def build_info(elf: Elf, find_blob: Callable[[], bytes | None]) -> BuildInfo | None:
    """The build info from `elf`'s `.go.buildinfo` section; without one, from what `find_blob`
    finds by scanning for the magic (section headers stripped), or None."""
    blob = elf.section_bytes(".go.buildinfo")
    if blob is None or not blob.startswith(BUILDINFO_MAGIC):
        blob = find_blob()
        if blob is None:
            return None
    if len(blob) < HEADER_SIZE:
        raise ValueError("Go build info header is truncated")
    ptr_size, flags = blob[14], blob[15]
    if flags & FLAG_INLINE:
        version, at = _varint_string(blob, HEADER_SIZE)
        modinfo, _ = _varint_string(blob, at)
    else:
        if ptr_size not in (4, 8):
            raise ValueError(f"Go build info: pointer size {ptr_size} is neither 4 nor 8")
        version = _pointed_string(elf, blob, HEADER_SIZE // 2, ptr_size, flags & FLAG_BIG_ENDIAN)
        modinfo = _pointed_string(elf, blob, HEADER_SIZE // 2 + ptr_size, ptr_size, flags & FLAG_BIG_ENDIAN)
    # Module info is framed by 16 bytes of sentinel on each side (cmd/go's modinfo.go).
    modinfo = modinfo[16:-16] if len(modinfo) >= 33 and modinfo[-17] == "\n" else ""
    return parse_modinfo(version, modinfo)


def _blob_at(data: bytes, at: int) -> bytes | None:
    return data[at : at + MAX_BLOB] if at >= 0 else None


def _varint_string(blob: bytes, at: int) -> tuple[str, int]:
    length = shift = 0
    while True:
        if at >= len(blob) or shift > 63:
            raise ValueError("Go build info: bad string length")
        byte = blob[at]
        at += 1
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    if length > MAX_STRING or at + length > len(blob):
        raise ValueError(f"Go build info: string of {length} bytes runs past the data")
    return blob[at : at + length].decode("utf-8", errors="replace"), at + length


def _pointed_string(elf: Elf, blob: bytes, at: int, ptr_size: int, big_endian: int) -> str:
    """Before Go 1.18: a pointer to a Go string header (data pointer, length) in the image."""
    word = (">" if big_endian else "<") + ("Q" if ptr_size == 8 else "I")
    (header_addr,) = struct.unpack_from(word, blob, at)
    header = elf.read_at(header_addr, 2 * ptr_size)
    if header is None:
        raise ValueError(f"Go build info: string header at {header_addr:#x} is not in a loaded segment")
    data_addr, length = struct.unpack_from(word[0] + word[1] * 2, header)
    if length > MAX_STRING:
        raise ValueError(f"Go build info: string of {length} bytes is implausible")
    text = elf.read_at(data_addr, length) if length else b""
    if text is None:
        raise ValueError(f"Go build info: string at {data_addr:#x} is not in a loaded segment")
    return text.decode("utf-8", errors="replace")


def parse_modinfo(go_version: str, text: str) -> BuildInfo:
    """`path`, `mod`, `dep` and `=>` lines, tab-separated, as `go version -m` prints them."""
    path: str | None = None
    main: Module | None = None
    deps: list[Module] = []
    settings: list[tuple[str, str]] = []
    for line in text.splitlines():
        kind, _, rest = line.partition("\t")
        fields = rest.split("\t")
        match kind:
            case "path":
                path = rest
            case "mod" | "dep" if fields[0]:
                module = Module(path=fields[0], version=fields[1] if len(fields) > 1 else "")
                if kind == "mod":
                    main = module
                else:
                    deps.append(module)
            case "build" if "=" in rest:
                key, _, value = rest.partition("=")
                settings.append((key, value))
            case "=>" if fields[0]:
                replacement = Module(path=fields[0], version=fields[1] if len(fields) > 1 else "")
                if deps:
                    deps[-1] = Module(deps[-1].path, deps[-1].version, replacement)
                elif main is not None:
                    main = Module(main.path, main.version, replacement)
    return BuildInfo(go_version=go_version, path=path, main=main, deps=tuple(deps), settings=tuple(settings))


def ldflags_version(info: BuildInfo) -> str | None:
    """The version a build stamped with `-ldflags "-X <pkg>.version=1.4.2"`, the usual way to give
    a main module built from a checkout (`(devel)`) its release number."""
    flags = dict(info.settings).get("-ldflags")
    if not flags:
        return None
    if flags.startswith('"'):
        try:
            flags = json.loads(flags)  # Go quotes the value as strconv.Quote does
        except ValueError:
            return None
    try:
        words = shlex.split(flags)
    except ValueError:
        return None
    for flag, value in zip(words, [*words[1:], ""], strict=True):
        assignment = value if flag == "-X" else flag.removeprefix("-X=") if flag.startswith("-X=") else ""
        key, _, version = assignment.partition("=")
        if key.lower().endswith((".version", ".ver")) and _SEMVER.fullmatch(version):
            return version if version.startswith("v") else f"v{version}"
    return None
