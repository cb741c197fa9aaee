"""`yarn.lock`: the v1 format of yarn classic and the YAML format of yarn berry (2+)."""

from __future__ import annotations

from hullguard.analyzers.base import AnalysisContext, AnalyzerId, AnalyzerKind, AnalyzerSpec, FileInput
from hullguard.analyzers.documents import load_yaml, mapping, package, text
from hullguard.analyzers.npm import installed_beside
from hullguard.model import Inventory, Package, PackageType

_LOCAL_PROTOCOLS = ("workspace", "link", "portal", "file", "exec")


class YarnAnalyzer:
    """Every resolved package of a yarn lock file. Skipped beside an installed `node_modules`."""

    spec = AnalyzerSpec(
        id=AnalyzerId("yarn"), kind=AnalyzerKind.LANGUAGE, version=1, basenames=("yarn.lock",)
    )

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if installed_beside(file, ctx):
            return Inventory()
        content = file.read_text()
        parse = parse_berry if "\n__metadata:" in f"\n{content}" else parse_classic
        return Inventory(packages=tuple(parse(content, file, ctx)))


def parse_classic(content: str, file: FileInput, ctx: AnalysisContext) -> list[Package]:
    """Blocks of `"name@range", "name@range2":` headers with indented `version "x"` lines."""
    found: list[Package] = []
    name: str | None = None
    version: str | None = None
    start = 0
    deps: list[str] = []

    def flush() -> None:
        if name is not None and version is not None:
            found.append(package(PackageType.NPM, name, version, file, dependencies=tuple(deps)))
        elif name is not None:
            ctx.issue(file, f"line {start}: {name} has no version; skipped")

    in_deps = False
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            flush()
            first = line.rstrip(":").split(",")[0].strip().strip('"')
            spec = first.split("@npm:", 1)[1] if "@npm:" in first else first
            at = spec.rfind("@")
            local = any(f"@{p}:" in first for p in _LOCAL_PROTOCOLS)
            name = spec[:at] if at > 0 and not local else None
            version, deps, start, in_deps = None, [], number, False
            if at <= 0 and not local:
                ctx.issue(file, f"line {number}: expected `name@range:`, got {line.strip()!r}")
        elif line.startswith("    ") and in_deps:
            deps.append(line.strip().split(" ")[0].strip('"'))
        else:
            key, _, value = line.strip().partition(" ")
            in_deps = key in ("dependencies:", "optionalDependencies:")
            if key == "version":
                version = value.strip().strip('"')
    flush()
    return found


def parse_berry(content: str, file: FileInput, ctx: AnalysisContext) -> list[Package]:
    found = []
    for key, value in mapping(load_yaml(file, strings=True), file, "yarn.lock").items():
        if key == "__metadata":
            continue
        entry = mapping(value, file, repr(key))
        resolution, version = text(entry.get("resolution")) or "", text(entry.get("version"))
        at = resolution.find("@", 1)
        protocol = resolution[at + 1 :].partition(":")[0]
        if at <= 0 or not version:
            ctx.issue(file, f"{key!r}: no resolution or version; skipped")
        elif protocol not in _LOCAL_PROTOCOLS:
            deps = mapping(entry.get("dependencies"), file, f"{key} dependencies")
            found.append(package(PackageType.NPM, resolution[:at], version, file, dependencies=tuple(deps)))
    return found
