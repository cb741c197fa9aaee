"""Go modules compiled into a binary: the main module, every dependency and the Go version
as `stdlib`, from the build info (`go_buildinfo`)."""

from __future__ import annotations

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.elf import find_section, is_elf, open_elf
from hullguard.analyzers.go_buildinfo import (
    BUILDINFO_MAGIC,
    MAX_BLOB,
    BuildInfo,
    Module,
    build_info,
    ldflags_version,
)
from hullguard.model import Inventory, Package, PackageType

DEVEL = "(devel)"

SCAN_CHUNK = 8 << 20


class GoBinaryAnalyzer:
    """Modules from the build info the Go linker embeds in every executable."""

    spec = specs.GO_BINARY

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if not is_elf(file.read_at(0, 4)) or not _may_have_build_info(file):
            return Inventory()
        try:
            elf = open_elf(file.read_at, file.size)
        except ValueError:
            if _find_blob(file) is None:
                return Inventory()  # a malformed executable, but no Go one: nothing to say
            raise
        info = build_info(elf, lambda: _find_blob(file))
        if info is None:
            return Inventory()
        return Inventory(packages=tuple(packages(info, file)))


def _may_have_build_info(file: FileInput) -> bool:
    """False when the section table, read alone, shows no `.go.buildinfo`: most executables
    in an image are not Go, and are then never read whole. Without a table (stripped) or
    with a malformed one, only the whole file can tell."""
    try:
        return find_section(file.read_at, file.size, ".go.buildinfo") is not None
    except ValueError:
        return True


def _find_blob(file: FileInput) -> bytes | None:
    """The build info found by its magic, for binaries without section headers: the file is
    scanned in 8 MiB pieces (overlapping by the magic's length), never held whole."""
    overlap = len(BUILDINFO_MAGIC) - 1
    for start in range(0, file.size, SCAN_CHUNK):
        hit = file.read_at(start, SCAN_CHUNK + overlap).find(BUILDINFO_MAGIC)
        if hit >= 0:
            return file.read_at(start + hit, MAX_BLOB)
    return None


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
        version = info.main.version
        if version in ("", DEVEL):
            version = ldflags_version(info) or DEVEL
        found.append(package(info.main.path, version, tuple(name for name, _ in deps)))
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
