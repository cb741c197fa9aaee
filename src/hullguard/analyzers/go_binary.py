"""Go modules compiled into a binary: the main module, every dependency and the Go version
as `stdlib`, from the build info (`go_buildinfo`)."""

from __future__ import annotations

from hullguard.analyzers.base import AnalysisContext, AnalyzerId, AnalyzerKind, AnalyzerSpec, FileInput
from hullguard.analyzers.elf import find_section, is_elf
from hullguard.analyzers.go_buildinfo import (
    BUILDINFO_MAGIC,
    BuildInfo,
    Module,
    ldflags_version,
    read_build_info,
)
from hullguard.model import Inventory, Package, PackageType

DEVEL = "(devel)"


class GoBinaryAnalyzer:
    """Modules from the build info the Go linker embeds in every executable."""

    spec = AnalyzerSpec(id=AnalyzerId("go-binary"), kind=AnalyzerKind.LANGUAGE, version=1, executables=True)

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if not is_elf(file.read_at(0, 4)) or not _may_have_build_info(file):
            return Inventory()
        data = file.read_bytes()
        if BUILDINFO_MAGIC not in data:
            return Inventory()
        info = read_build_info(data)
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
