"""Installed Node.js packages: the `package.json` of every package folder under `node_modules/`."""

from __future__ import annotations

from typing import Any

from hullguard.analyzers.base import AnalysisContext, AnalyzerId, AnalyzerKind, AnalyzerSpec, FileInput
from hullguard.analyzers.documents import load_json, mapping, package, text
from hullguard.model import Inventory, PackageType
from hullguard.sources.tree import EntryType


class NpmAnalyzer:
    """One package per `node_modules/<name>/package.json` or `node_modules/@scope/<name>/package.json`.

    The project's own `package.json` and the extra ones packages keep in sub-folders
    (`dist/esm/package.json` saying `{"type": "module"}`) are not packages and are passed over.
    """

    spec = AnalyzerSpec(
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
        deps = mapping(doc.get("dependencies"), file, "dependencies")
        return Inventory(
            packages=(
                package(
                    PackageType.NPM, name, version, file, licenses=licenses(doc), dependencies=tuple(deps)
                ),
            )
        )


def is_package_folder(path: str) -> bool:
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


def installed_beside(file: FileInput, ctx: AnalysisContext) -> bool:
    """True when a `node_modules` folder sits next to this lock file: the installed manifests are
    then the truth, read by `NpmAnalyzer`, and the lock would only repeat them."""
    folder = file.path.rpartition("/")[0]
    entry = ctx.tree.lookup(f"{folder}/node_modules" if folder else "node_modules")
    return entry is not None and entry.type is EntryType.DIR
