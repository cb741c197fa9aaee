"""npm's `package-lock.json`: v1 (nested `dependencies`), v2 and v3 (flat `packages`)."""

from __future__ import annotations

from typing import Any

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.documents import each, expect_format, load_json, mapping, package, text
from hullguard.analyzers.npm import licenses, superseded_lock
from hullguard.model import Inventory, Package, PackageType

_LOCAL = ("file:", "link:")
MAX_DEPTH = 64


class NpmLockAnalyzer:
    """Every locked package; `dev: true` entries are marked dev. Skipped beside an installed `node_modules`."""

    spec = specs.NPM_LOCK

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if superseded_lock(file, ctx):
            return Inventory()
        doc = mapping(load_json(file), file, "package-lock.json")
        expect_format(any(k in doc for k in ("lockfileVersion", "packages", "dependencies")), file, "package-lock.json")
        if "packages" in doc:  # lockfileVersion 2 and 3; v2 also keeps v1's tree for old npm
            return Inventory(
                packages=tuple(parse_packages(mapping(doc["packages"], file, "packages"), file, ctx))
            )
        found: list[Package] = []
        parse_dependencies(mapping(doc.get("dependencies"), file, "dependencies"), file, ctx, found)
        return Inventory(packages=tuple(found))


def parse_packages(entries: dict[str, Any], file: FileInput, ctx: AnalysisContext) -> list[Package]:
    def parse(key: str, value: Any) -> Package | None:
        entry = mapping(value, file, f"packages[{key!r}]")
        if "node_modules/" not in f"/{key}" or entry.get("link"):
            return None  # "" is the project, other folders are workspace members: the user's own code
        name = text(entry.get("name")) or key.rpartition("node_modules/")[2]
        version = text(entry.get("version"))
        if not version:
            ctx.issue(file, f"packages[{key!r}] has no version; skipped")
            return None
        deps = mapping(entry.get("dependencies"), file, f"{key} dependencies")
        dev = entry.get("dev") is True
        return package(
            PackageType.NPM, name, version, file, dev=dev, licenses=licenses(entry), dependencies=tuple(deps)
        )

    return each(entries.items(), file, ctx, parse)


def parse_dependencies(
    tree: dict[str, Any], file: FileInput, ctx: AnalysisContext, found: list[Package], depth: int = 0
) -> None:
    """v1's nested tree: each entry may hold the `dependencies` installed below it."""
    if depth > MAX_DEPTH:
        ctx.issue(file, f"dependencies nested deeper than {MAX_DEPTH} levels; the rest skipped")
        return

    def parse(name: str, value: Any) -> Package | None:
        entry = mapping(value, file, f"dependencies[{name!r}]")
        nested = mapping(entry.get("dependencies"), file, f"{name} dependencies")
        parse_dependencies(nested, file, ctx, found, depth + 1)
        version = text(entry.get("version"))
        if version and version.startswith("npm:"):  # an alias: "npm:real-name@1.2.3"
            name, _, version = version[4:].rpartition("@")
        if not version or version.startswith(_LOCAL):
            if not version:
                ctx.issue(file, f"dependencies[{name!r}] has no version; skipped")
            return None
        requires = mapping(entry.get("requires"), file, f"{name} requires")
        dev = entry.get("dev") is True
        return package(PackageType.NPM, name, version, file, dev=dev, dependencies=tuple(requires))

    found.extend(each(tree.items(), file, ctx, parse))
