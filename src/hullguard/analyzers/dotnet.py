""".NET NuGet packages: `*.deps.json` next to built assemblies and `packages.lock.json` in projects."""

from __future__ import annotations

from hullguard.analyzers.base import AnalysisContext, AnalyzerId, AnalyzerKind, AnalyzerSpec, FileInput
from hullguard.analyzers.documents import load_json, mapping, package, text
from hullguard.model import Inventory, Package, PackageType

_ASSETS = ("runtime", "runtimeTargets", "native", "resources")


class DotnetAnalyzer:
    """Only NuGet packages: `project` and `reference` libraries are the application's own assemblies."""

    spec = AnalyzerSpec(
        id=AnalyzerId("dotnet"),
        kind=AnalyzerKind.LANGUAGE,
        version=1,
        basenames=("packages.lock.json",),
        suffixes=(".deps.json",),
    )

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        doc = mapping(load_json(file), file, file.path.rpartition("/")[2])
        if file.path.endswith(".deps.json"):
            return Inventory(packages=tuple(parse_deps_json(doc, file, ctx)))
        found: dict[tuple[str, str], Package] = {}
        for framework, deps in mapping(doc.get("dependencies"), file, "dependencies").items():
            for name, value in mapping(deps, file, framework).items():
                entry = mapping(value, file, f"{framework}.{name}")
                version = text(entry.get("resolved"))
                if str(entry.get("type", "")).lower() == "project":
                    continue
                if not version:
                    ctx.issue(file, f"{framework}.{name} has no resolved version; skipped")
                    continue
                children = tuple(mapping(entry.get("dependencies"), file, f"{name} dependencies"))
                found.setdefault(
                    (name, version), package(PackageType.NUGET, name, version, file, dependencies=children)
                )
        return Inventory(packages=tuple(found.values()))


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
    packages = []
    for key, value in mapping(doc.get("libraries"), file, "libraries").items():
        if mapping(value, file, key).get("type") != "package" or (key in edges and key not in shipped):
            continue
        name, _, version = key.partition("/")
        if not name or not version:
            ctx.issue(file, f"libraries[{key!r}] is not `name/version`; skipped")
            continue
        packages.append(package(PackageType.NUGET, name, version, file, dependencies=edges.get(key, ())))
    return packages
