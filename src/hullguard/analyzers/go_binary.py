"""Go modules compiled into a binary: the main module, every dependency and the Go version.

The linker writes a build-info blob that starts with the magic `\\xff Go buildinf:`, in the
`.go.buildinfo` section (found by scanning when section headers are stripped). Since Go 1.18
the version and module strings follow the 32-byte header inline, each with a uvarint length;
before, the header holds two pointers to Go string headers elsewhere in the image.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from hullguard.analyzers.base import AnalysisContext, AnalyzerId, AnalyzerKind, AnalyzerSpec, FileInput
from hullguard.analyzers.elf import Elf, is_elf, parse_elf
from hullguard.model import Inventory, Package, PackageType

BUILDINFO_MAGIC = b"\xff Go buildinf:"
HEADER_SIZE = 32
FLAG_BIG_ENDIAN = 0x1
FLAG_INLINE = 0x2
MAX_STRING = 1 << 20
DEVEL = "(devel)"


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


class GoBinaryAnalyzer:
    """Modules from the build info the Go linker embeds in every executable."""

    spec = AnalyzerSpec(id=AnalyzerId("go-binary"), kind=AnalyzerKind.LANGUAGE, version=1, executables=True)

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        data = file.read_bytes()
        if not is_elf(data) or BUILDINFO_MAGIC not in data:
            return Inventory()
        info = read_build_info(data)
        if info is None:
            return Inventory()
        return Inventory(packages=tuple(packages(info, file)))


def read_build_info(data: bytes) -> BuildInfo | None:
    """The build info of an ELF Go binary, or None when it is not one."""
    elf = parse_elf(data)
    blob = elf.section_bytes(".go.buildinfo")
    if blob is None or not blob.startswith(BUILDINFO_MAGIC):
        at = data.find(BUILDINFO_MAGIC)  # section headers stripped: find the blob itself
        if at < 0:
            return None
        blob = data[at:]
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
            case "=>" if fields[0]:
                replacement = Module(path=fields[0], version=fields[1] if len(fields) > 1 else "")
                if deps:
                    deps[-1] = Module(deps[-1].path, deps[-1].version, replacement)
                elif main is not None:
                    main = Module(main.path, main.version, replacement)
    return BuildInfo(go_version=go_version, path=path, main=main, deps=tuple(deps))


def packages(info: BuildInfo, file: FileInput) -> list[Package]:
    def package(name: str, version: str, dependencies: tuple[str, ...] = ()) -> Package:
        return Package(
            type=PackageType.GOLANG,
            name=name,
            version=version,
            layer=file.layer,
            path=file.path,
            dependencies=dependencies,
        )

    deps = [_effective(m) for m in info.deps]
    found = [package(name, version) for name, version in deps]
    if info.main is not None:
        found.append(package(info.main.path, info.main.version or DEVEL, tuple(name for name, _ in deps)))
    go = info.go_version.split()[0] if info.go_version.strip() else ""
    if go.startswith("go"):
        found.append(package("stdlib", "v" + go.removeprefix("go")))
    return found


def _effective(module: Module) -> tuple[str, str]:
    """A module replaced by another module version is that version. Replaced by a local
    folder (`./x`, `../x`, `/x`), the code has no published version: the required one is kept."""
    replace = module.replace
    if replace is not None and not replace.path.startswith(("./", "../", "/")):
        return replace.path, replace.version
    return module.path, module.version
