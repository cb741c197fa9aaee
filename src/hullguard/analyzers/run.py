"""Run the registered analyzers over a tree and merge what they find into one inventory."""

from __future__ import annotations

import dataclasses

from hullguard.analyzers.base import AnalysisContext, Analyzer, FileInput
from hullguard.analyzers.purl import with_purls
from hullguard.errors import Error
from hullguard.model import Inventory, Issue, Package
from hullguard.sources.tree import EntryType, FileEntry, FileTree


def wants(analyzers: tuple[Analyzer, ...]) -> object:
    """A predicate for the layer reader: keep the content of files any analyzer reads."""

    def wanted(entry: FileEntry) -> bool:
        return any(a.spec.matches(entry) for a in analyzers)

    return wanted


def analyze_tree(tree: FileTree, analyzers: tuple[Analyzer, ...]) -> tuple[Inventory, tuple[Issue, ...]]:
    ctx = AnalysisContext(tree=tree)
    files = [e for e in tree.entries() if e.type is EntryType.FILE]
    inventory = Inventory()
    for analyzer in analyzers:
        matched = sorted(
            (e for e in files if analyzer.spec.matches(e)), key=lambda e: (analyzer.spec.rank(e.path), e.path)
        )
        for entry in matched:
            file = FileInput(
                path=entry.path, layer=entry.layer, size=entry.size, read_bytes=_reader(tree, entry)
            )
            try:
                inventory = inventory.merge(analyzer.analyze(file, ctx))
            except Error as e:
                ctx.issue(file, f"{analyzer.spec.id}: {e}")
            except (ValueError, KeyError, IndexError, TypeError, UnicodeError, OSError) as e:
                ctx.issue(file, f"{analyzer.spec.id}: could not parse: {type(e).__name__}: {e}")
    inventory = with_purls(_dedupe(inventory))
    return inventory, tuple(ctx.issues)


def _reader(tree: FileTree, entry: FileEntry):  # type: ignore[no-untyped-def]
    return lambda: tree.read_bytes(entry)


def _dedupe(inventory: Inventory) -> Inventory:
    """One package per (type, name, version, path); sorted for deterministic output."""
    seen: dict[tuple[str, str, str, str], Package] = {}
    for p in inventory.packages:
        seen.setdefault((p.type.value, p.name, p.version, p.path or ""), p)
    packages = tuple(sorted(seen.values(), key=lambda p: (p.type.value, p.name, p.version, p.path or "")))
    return dataclasses.replace(inventory, packages=packages)
