"""Installed Node.js packages: the `package.json` of every package folder under `node_modules/`."""

from __future__ import annotations

import json
import re
from typing import Any

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.documents import load_json, mapping, package, text
from hullguard.errors import Error
from hullguard.model import Inventory, PackageType
from hullguard.sources.tree import EntryType

_NAME = re.compile(r"^(?:@[^\s/@]+/)?[^\s/@][^\s/]*$")
"""npm's rule, loosely: an optional `@scope/`, then one path segment (old packages may use capitals)."""


class NpmAnalyzer:
    """One package per `node_modules/<name>/package.json` or `node_modules/@scope/<name>/package.json`.

    The project's own `package.json` and the extra ones packages keep in sub-folders
    (`dist/esm/package.json` saying `{"type": "module"}`) are not packages and are passed over.
    """

    spec = specs.NPM_INSTALLED

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if not specs.is_package_folder(file.path):
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
        e.path.startswith(prefix) and specs.is_package_folder(e.path)
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
