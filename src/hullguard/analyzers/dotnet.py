""".NET NuGet packages: `*.deps.json` next to built assemblies and `packages.lock.json` in projects."""

from __future__ import annotations

from typing import Any

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.documents import each, expect_format, load_json, mapping, package, text
from hullguard.model import Inventory, Package, PackageType

_ASSETS = ("runtime", "runtimeTargets", "native", "resources")


class DotnetAnalyzer:
    """Only NuGet packages: `project` and `reference` libraries are the application's own assemblies."""

    spec = specs.DOTNET

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        doc = mapping(load_json(file), file, file.path.rpartition("/")[2])
        if file.path.endswith(".deps.json"):
            expect_format("targets" in doc, file, ".NET deps.json")
            return Inventory(packages=tuple(parse_deps_json(doc, file, ctx)))
        expect_format("dependencies" in doc, file, "NuGet packages.lock.json")
        return Inventory(packages=tuple(parse_packages_lock(doc, file, ctx)))


def parse_packages_lock(doc: dict[str, Any], file: FileInput, ctx: AnalysisContext) -> list[Package]:
    """`{framework: {name: {type, resolved, dependencies}}}`; the runtime-specific frameworks repeat packages."""

    def parse(key: str, value: Any) -> Package | None:
        name = key.rpartition(" ")[2]
        entry = mapping(value, file, key)
        version = text(entry.get("resolved"))
        if str(entry.get("type", "")).lower() == "project":
            return None
        if not version:
            ctx.issue(file, f"{key} has no resolved version; skipped")
            return None
        children = tuple(mapping(entry.get("dependencies"), file, f"{name} dependencies"))
        return package(PackageType.NUGET, name, version, file, dependencies=children)

    entries = [
        (f"{framework} {name}", value)
        for framework, deps in mapping(doc.get("dependencies"), file, "dependencies").items()
        for name, value in mapping(deps, file, framework).items()
    ]
    unique = {(p.name, p.version): p for p in reversed(each(entries, file, ctx, parse))}
    return list(unique.values())


def parse_deps_json(doc: dict[str, object], file: FileInput, ctx: AnalysisContext) -> list[Package]:
    """Libraries of type `package`. One that a target lists without any runtime, native or resource
    asset ships no file (a reference-only meta-package such as Microsoft.NETCore.App) and is left out."""
    edges: dict[str, tuple[str, ...]] = {}
    shipped: set[str] = set()
    for framework, libraries in mapping(doc.get("targets"), file, "targets").items():
        for key, value in mapping(libraries, file, framework).items():
            target = mapping(value, file, key)
            edges[key] = tuple(mapping(target.get("dependencies"), file, f"{key} dependencies"))
            if any(target.get(asset) for asset in _ASSETS):
                shipped.add(key)

    def parse(key: str, value: Any) -> Package | None:
        if mapping(value, file, key).get("type") != "package" or (key in edges and key not in shipped):
            return None
        name, _, version = key.partition("/")
        if not name or not version:
            ctx.issue(file, f"libraries[{key!r}] is not `name/version`; skipped")
            return None
        return package(PackageType.NUGET, name, version, file, dependencies=edges.get(key, ()))

    return each(mapping(doc.get("libraries"), file, "libraries").items(), file, ctx, parse)
