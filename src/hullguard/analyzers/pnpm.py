"""`pnpm-lock.yaml`: lockfile v5/v6 (`/name@version` keys, `dev:` flags) and v9 (`importers` + `snapshots`)."""

from __future__ import annotations

from typing import Any

from hullguard.analyzers.base import AnalysisContext, AnalyzerId, AnalyzerKind, AnalyzerSpec, FileInput
from hullguard.analyzers.documents import dev_only, load_yaml, mapping, package, text
from hullguard.analyzers.npm import installed_beside
from hullguard.model import Inventory, PackageType


class PnpmAnalyzer:
    """Every package of a pnpm lock file; dev-only packages marked. Skipped beside an installed `node_modules`."""

    spec = AnalyzerSpec(
        id=AnalyzerId("pnpm"), kind=AnalyzerKind.LANGUAGE, version=1, basenames=("pnpm-lock.yaml",)
    )

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if installed_beside(file, ctx):
            return Inventory()
        doc = mapping(load_yaml(file, strings=True), file, "pnpm-lock.yaml")
        v5 = (text(doc.get("lockfileVersion")) or "").startswith("5")
        entries = mapping(doc.get("packages"), file, "packages")
        dev = _dev_v9(doc, file) if "snapshots" in doc else set()
        packages = []
        for key, value in entries.items():
            entry = mapping(value, file, repr(key))
            name, version = split_key(key, v5)
            name, version = text(entry.get("name")) or name, text(entry.get("version")) or version
            if not name or not version:
                ctx.issue(file, f"packages[{key!r}]: cannot tell name and version; skipped")
                continue
            is_dev = entry.get("dev") == "true" or f"{name}@{version}" in dev
            deps = mapping(entry.get("dependencies"), file, f"{key} dependencies")
            packages.append(
                package(PackageType.NPM, name, version, file, dev=is_dev, dependencies=tuple(deps))
            )
        return Inventory(packages=tuple(packages))


def split_key(key: str, v5: bool) -> tuple[str | None, str | None]:
    """`/@scope/name@1.0.0(peer@2)` (v6), `name@1.0.0` (v9), `/name/1.0.0_peer@2` (v5)."""
    key = key.removeprefix("/").partition("(")[0]
    if v5:
        name, _, version = key.rpartition("/")
        return name or None, version.partition("_")[0] or None
    at = key.rfind("@")
    return (key[:at], key[at + 1 :]) if at > 0 else (None, None)


def _dev_v9(doc: dict[str, Any], file: FileInput) -> set[str]:
    """v9 dropped the `dev` flag: walk the graph from the importers' runtime and dev roots."""

    def node(name: str, version: Any) -> str:
        return f"{name}@{str(version).partition('(')[0]}"

    edges: dict[str, list[str]] = {}
    for key, value in mapping(doc.get("snapshots"), file, "snapshots").items():
        snapshot = mapping(value, file, repr(key))
        targets = {
            **mapping(snapshot.get("dependencies"), file, key),
            **mapping(snapshot.get("optionalDependencies"), file, key),
        }
        edges[key.partition("(")[0]] = [node(n, v) for n, v in targets.items()]
    runtime: list[str] = []
    dev: list[str] = []
    for importer in mapping(doc.get("importers"), file, "importers").values():
        for group, roots in (
            ("dependencies", runtime),
            ("optionalDependencies", runtime),
            ("devDependencies", dev),
        ):
            for name, spec in mapping(mapping(importer, file, "importer").get(group), file, group).items():
                roots.append(node(name, mapping(spec, file, name).get("version")))
    return dev_only(edges, runtime, dev)
