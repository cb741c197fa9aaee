"""Installed Node.js packages: the `package.json` of every package folder under `node_modules/`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from hullguard.analyzers.base import AnalysisContext, AnalyzerId, AnalyzerKind, AnalyzerSpec, FileInput
from hullguard.analyzers.documents import load_json, mapping, package, text
from hullguard.errors import Error
from hullguard.model import Inventory, PackageType
from hullguard.sources.tree import EntryType, FileEntry

_NAME = re.compile(r"^(?:@[^\s/@]+/)?[^\s/@][^\s/]*$")
"""npm's rule, loosely: an optional `@scope/`, then one path segment (old packages may use capitals)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InstalledManifestSpec(AnalyzerSpec):
    """Only package folders' manifests: an image keeps the content of what analyzers want, and
    big packages carry dozens of `dist/*/package.json` files that describe no package."""

    def matches(self, entry: FileEntry) -> bool:
        return entry.size <= self.max_size and is_package_folder(entry.path)


class NpmAnalyzer:
    """One package per `node_modules/<name>/package.json` or `node_modules/@scope/<name>/package.json`.

    The project's own `package.json` and the extra ones packages keep in sub-folders
    (`dist/esm/package.json` saying `{"type": "module"}`) are not packages and are passed over.
    """

    spec: AnalyzerSpec = InstalledManifestSpec(
        id=AnalyzerId("npm-installed"),
        kind=AnalyzerKind.LANGUAGE,
        version=1,
        basenames=("package.json",),
        max_size=4 << 20,
    )

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if not is_package_folder(file.path):
            return Inventory()
        doc = mapping(load_json(file), file, "package.json")
        name, version = text(doc.get("name")), text(doc.get("version"))
        if not name or not version:
            ctx.issue(file, "installed package.json without name or version; skipped")
            return Inventory()
        if not _NAME.match(name):
            ctx.issue(file, f"{name!r} is not an npm package name; skipped")
            return Inventory()
        deps = mapping(doc.get("dependencies"), file, "dependencies")
        return Inventory(
            packages=(
                package(
                    PackageType.NPM, name, version, file, licenses=licenses(doc), dependencies=tuple(deps)
                ),
            )
        )


def is_package_folder(path: str) -> bool:
    """`.../node_modules/<name>/package.json` or `.../node_modules/@scope/<name>/package.json`."""
    if not path.endswith("/package.json"):
        return False
    parts = path.split("/")
    if len(parts) >= 3 and parts[-3] == "node_modules" and not parts[-2].startswith("@"):
        return True
    return len(parts) >= 4 and parts[-4] == "node_modules" and parts[-3].startswith("@")


def licenses(doc: dict[str, Any]) -> tuple[str, ...]:
    """`license` as an SPDX string, or the deprecated `{type}` object and `licenses` list."""
    found: list[str] = []
    legacy = doc.get("licenses")
    for value in [doc.get("license"), *(legacy if isinstance(legacy, list) else [])]:
        value = value.get("type") if isinstance(value, dict) else value
        if isinstance(value, str) and value.strip():
            found.append(value.strip())
    return tuple(dict.fromkeys(found))


def superseded_lock(file: FileInput, ctx: AnalysisContext) -> bool:
    """True when this lock file is not the one to read: it ships inside an installed package
    (`node_modules/x/yarn.lock` is that package's own development lock), or packages are installed
    in a `node_modules` folder beside it, whose manifests `NpmAnalyzer` reads as the truth."""
    if "/node_modules/" in f"/{file.path}":
        return True
    folder = file.path.rpartition("/")[0]
    prefix = f"{folder}/node_modules/" if folder else "node_modules/"
    return any(
        e.path.startswith(prefix) and is_package_folder(e.path)
        for e in ctx.tree.entries()
        if e.type is EntryType.FILE
    )


def project_manifest(file: FileInput, ctx: AnalysisContext) -> dict[str, dict[str, str]]:
    """The dependency groups of the project's `package.json` beside a lock file; {} when absent."""
    folder = file.path.rpartition("/")[0]
    entry = ctx.tree.lookup(f"{folder}/package.json" if folder else "package.json")
    try:
        doc = json.loads(ctx.tree.read_bytes(entry)) if entry is not None else {}
    except (Error, ValueError):
        return {}
    groups = ("dependencies", "optionalDependencies", "devDependencies")
    return {k: v for k in groups if isinstance(doc, dict) and isinstance(v := doc.get(k), dict)}
