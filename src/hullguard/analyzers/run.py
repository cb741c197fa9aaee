"""Run the registered analyzers over a tree and merge what they find into one inventory."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from hullguard.analyzers.base import AnalysisContext, Analyzer, FileInput
from hullguard.analyzers.purl import with_purls
from hullguard.errors import Error
from hullguard.model import Inventory, Issue, Package
from hullguard.sources.tree import EntryType, FileEntry, FileTree, RangeReadable


def wants(analyzers: tuple[Analyzer, ...]) -> Callable[[FileEntry], bool]:
    """A predicate for the layer reader: keep the content of files any analyzer reads.

    It runs for every file of every layer, so one look at the union of all specs' paths,
    names, endings and folders turns most files away before any spec is asked itself. Specs
    with a `matches` of their own only narrow what their fields declare (see AnalyzerSpec).
    """
    specs = [a.spec for a in analyzers]
    paths = frozenset(p for s in specs for p in s.paths)
    basenames = frozenset(b for s in specs for b in s.basenames)
    suffixes = tuple(x for s in specs for x in s.suffixes)
    prefixes = tuple(x for s in specs for x in s.prefixes)
    executables = any(s.executables for s in specs)

    def wanted(entry: FileEntry) -> bool:
        path = entry.path
        if (
            path in paths
            or path.rpartition("/")[2] in basenames
            or path.endswith(suffixes)
            or path.startswith(prefixes)
            or (executables and entry.is_executable)
        ):
            return any(spec.matches(entry) for spec in specs)
        return False

    return wanted


def analyze_tree(tree: FileTree, analyzers: tuple[Analyzer, ...]) -> tuple[Inventory, tuple[Issue, ...]]:
    ctx = AnalysisContext(tree=tree)
    wanted = wants(analyzers)
    files = [e for e in tree.entries() if e.type is EntryType.FILE and wanted(e)]
    found: list[Inventory] = []
    ranged = tree if isinstance(tree, RangeReadable) else None  # once: a Protocol check is slow
    for analyzer in analyzers:
        matched = sorted(
            (e for e in files if analyzer.spec.matches(e)), key=lambda e: (analyzer.spec.rank(e.path), e.path)
        )
        for entry in matched:
            file = FileInput(
                path=entry.path,
                layer=entry.layer,
                size=entry.size,
                read_bytes=_reader(tree, entry),
                read_range=_range_reader(ranged, entry) if ranged is not None else None,
            )
            try:
                found.append(analyzer.analyze(file, ctx))
            except Error as e:
                ctx.issue(file, f"{analyzer.spec.id}: {e}")
            except (ValueError, KeyError, IndexError, TypeError, UnicodeError, OSError) as e:
                ctx.issue(file, f"{analyzer.spec.id}: could not parse: {type(e).__name__}: {e}")
    # One merge at the end: Inventory.merge per file copies every tuple again (quadratic).
    inventory = Inventory(
        packages=tuple(p for part in found for p in part.packages),
        os=next((part.os for part in found if part.os is not None), None),
        extra=tuple(x for part in found for x in part.extra),
    )
    return with_purls(_dedupe(inventory)), tuple(ctx.issues)


def _reader(tree: FileTree, entry: FileEntry):  # type: ignore[no-untyped-def]
    return lambda: tree.read_bytes(entry)


def _range_reader(tree: RangeReadable, entry: FileEntry):  # type: ignore[no-untyped-def]
    return lambda offset, length: tree.read_range(entry, offset, length)


def _dedupe(inventory: Inventory) -> Inventory:
    """One package per (type, name, version, path); sorted for deterministic output."""
    seen: dict[tuple[str, str, str, str], Package] = {}
    for p in inventory.packages:
        seen.setdefault((p.type.value, p.name, p.version, p.path or ""), p)
    packages = tuple(sorted(seen.values(), key=lambda p: (p.type.value, p.name, p.version, p.path or "")))
    return dataclasses.replace(inventory, packages=packages)
