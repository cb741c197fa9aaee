"""`pnpm-lock.yaml`: lockfile v5/v6 (`/name@version` keys, `dev:` flags) and v9 (`importers` + `snapshots`)."""

from __future__ import annotations

from typing import Any

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.documents import (
    dev_only,
    each,
    expect_format,
    load_yaml_documents,
    mapping,
    package,
    text,
)
from hullguard.analyzers.npm import superseded_lock
from hullguard.model import Inventory, Package, PackageType


class PnpmAnalyzer:
    """Every package of a pnpm lock file; dev-only packages marked. Skipped beside an installed `node_modules`."""

    spec = specs.PNPM

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if superseded_lock(file, ctx):
            return Inventory()
        packages: list[Package] = []
        documents = [mapping(d, file, "pnpm-lock.yaml") for d in load_yaml_documents(file, strings=True)]
        expect_format(any("lockfileVersion" in d for d in documents), file, "pnpm-lock.yaml")
        for doc in documents:  # pnpm 10+ may write several
            packages.extend(parse_lock(doc, file, ctx))
        return Inventory(packages=tuple(packages))


def parse_lock(doc: dict[str, Any], file: FileInput, ctx: AnalysisContext) -> list[Package]:
    v5 = (text(doc.get("lockfileVersion")) or "").startswith("5")
    dev = _dev_v9(doc, file) if "snapshots" in doc else set()

    def parse(key: str, value: Any) -> Package | None:
        entry = mapping(value, file, repr(key))
        name, version = split_key(key, v5)
        name, version = text(entry.get("name")) or name, text(entry.get("version")) or version
        if not name or not version:
            ctx.issue(file, f"packages[{key!r}]: cannot tell name and version; skipped")
            return None
        if version.startswith(("file:", "link:")):
            return None  # the project's own folders
        is_dev = entry.get("dev") == "true" or f"{name}@{version}" in dev
        deps = mapping(entry.get("dependencies"), file, f"{key} dependencies")
        return package(PackageType.NPM, name, version, file, dev=is_dev, dependencies=tuple(deps))

    return each(mapping(doc.get("packages"), file, "packages").items(), file, ctx, parse)


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
        version = str(version).partition("(")[0]
        return version if version.find("@", 1) > 0 else f"{name}@{version}"  # an alias names its target

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
            ("packageManagerDependencies", dev),  # pnpm itself: a build tool
        ):
            for name, spec in mapping(mapping(importer, file, "importer").get(group), file, group).items():
                roots.append(node(name, mapping(spec, file, name).get("version")))
    return dev_only(edges, runtime, dev)
