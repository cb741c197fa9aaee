"""Run the registered analyzers over a tree and merge what they find into one inventory."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from hullguard.analyzers.base import AnalysisContext, Analyzer, AnalyzerSpec, FileInput
from hullguard.analyzers.purl import with_purls
from hullguard.errors import Error
from hullguard.model import Inventory, Issue, Package
from hullguard.sources.tree import EntryType, FileEntry, FileTree, RangeReadable


def wants(analyzers: tuple[Analyzer, ...]) -> Callable[[FileEntry], bool]:
    """A predicate for the layer reader: keep the content of files any analyzer reads."""
    index = _SpecIndex([a.spec for a in analyzers])
    return lambda entry: bool(index.matching(entry))


class _SpecIndex:
    """Which specs read a file, asked for every file of every layer: one look at the union of
    all specs' paths, names, endings and folders turns most files away, and only the specs
    whose fields admit a file are asked themselves. Specs with a `matches` of their own only
    narrow what their fields declare (see AnalyzerSpec)."""

    def __init__(self, specs: list[AnalyzerSpec]) -> None:
        self._specs = specs
        self._paths: dict[str, list[int]] = {}
        self._names: dict[str, list[int]] = {}
        for i, spec in enumerate(specs):
            for path in spec.paths:
                self._paths.setdefault(path, []).append(i)
            for name in spec.basenames:
                self._names.setdefault(name, []).append(i)
        self._suffixes = [(x, i) for i, s in enumerate(specs) for x in s.suffixes]
        self._prefixes = [(x, i) for i, s in enumerate(specs) for x in s.prefixes]
        self._executables = [i for i, s in enumerate(specs) if s.executables]
        self._any_suffix = tuple(x for x, _ in self._suffixes)
        self._any_prefix = tuple(x for x, _ in self._prefixes)

    def matching(self, entry: FileEntry) -> list[int]:
        """Indexes of the specs that read `entry`, in spec order."""
        path = entry.path
        by_path = self._paths.get(path)
        by_name = self._names.get(path[path.rfind("/") + 1 :])
        suffix = path.endswith(self._any_suffix)
        prefix = path.startswith(self._any_prefix)
        executable = bool(self._executables) and entry.is_executable
        if by_path is None and by_name is None and not suffix and not prefix and not executable:
            return []  # most files: five lookups, nothing built
        found = [*(by_path or ()), *(by_name or ())]
        if suffix:
            found += [i for x, i in self._suffixes if path.endswith(x)]
        if prefix:
            found += [i for x, i in self._prefixes if path.startswith(x)]
        if executable:
            found += self._executables
        return sorted(i for i in set(found) if self._specs[i].matches(entry))


def analyze_tree(tree: FileTree, analyzers: tuple[Analyzer, ...]) -> tuple[Inventory, tuple[Issue, ...]]:
    ctx = AnalysisContext(tree=tree)
    index = _SpecIndex([a.spec for a in analyzers])
    files: list[list[FileEntry]] = [[] for _ in analyzers]
    for entry in tree.entries():
        if entry.type is EntryType.FILE:
            for i in index.matching(entry):
                files[i].append(entry)
    found: list[Inventory] = []
    ranged = tree if isinstance(tree, RangeReadable) else None  # once: a Protocol check is slow
    inputs: dict[str, FileInput] = {}  # one per file: analyzers of the same file share its reads

    def file_input(entry: FileEntry) -> FileInput:
        file = inputs.get(entry.path)
        if file is None:
            file = inputs[entry.path] = FileInput(
                path=entry.path,
                layer=entry.layer,
                size=entry.size,
                read_bytes=_reader(tree, entry),
                read_range=_range_reader(ranged, entry) if ranged is not None else None,
            )
        return file

    for analyzer, matched in zip(analyzers, files, strict=True):
        matched.sort(key=lambda e: (analyzer.spec.rank(e.path), e.path))
        for entry in matched:
            file = file_input(entry)
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


SMALL_READ = 1 << 16


def _range_reader(tree: RangeReadable, entry: FileEntry) -> Callable[[int, int], bytes]:
    """Small reads are kept: the Go and the Rust analyzer read the same ELF headers of every
    executable, the second from here."""
    kept: dict[tuple[int, int], bytes] = {}

    def read(offset: int, length: int) -> bytes:
        data = kept.get((offset, length))
        if data is None:
            data = tree.read_range(entry, offset, length)
            if length <= SMALL_READ:
                kept[offset, length] = data
        return data

    return read


def _dedupe(inventory: Inventory) -> Inventory:
    """One package per (type, name, version, path); sorted for deterministic output."""
    seen: dict[tuple[str, str, str, str], Package] = {}
    for p in inventory.packages:
        seen.setdefault((p.type.value, p.name, p.version, p.path or ""), p)
    packages = tuple(sorted(seen.values(), key=lambda p: (p.type.value, p.name, p.version, p.path or "")))
    return dataclasses.replace(inventory, packages=packages)
