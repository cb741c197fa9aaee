"""What every analyzer is: a spec saying which files it reads, and `analyze(file) -> Inventory`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NewType, Protocol

from hullguard.model import Digest, Inventory, Issue
from hullguard.sources.tree import FileEntry, FileTree

AnalyzerId = NewType("AnalyzerId", str)


class AnalyzerKind(StrEnum):
    OS = "os"
    OS_PACKAGES = "os-packages"
    LANGUAGE = "language"


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalyzerSpec:
    id: AnalyzerId
    kind: AnalyzerKind
    version: int
    paths: tuple[str, ...] = ()
    """Exact root-relative paths, in order of preference."""
    basenames: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    """Path endings such as `.dist-info/METADATA`."""
    prefixes: tuple[str, ...] = ()
    """Every file under these folders, e.g. `var/lib/dpkg/status.d/`."""
    executables: bool = False
    """Wants every executable regular file (binaries carrying build info)."""
    max_size: int = 64 << 20
    pre_build: bool = False
    """Reads what a project is built from (lock files, requirements): not read in images, whose
    installed metadata is the truth (a lock copied into an image proves no install)."""

    def matches(self, entry: FileEntry) -> bool:
        """Whether the analyzer reads `entry`. A subclass may narrow this by name patterns, but
        never accept a file its fields do not declare: the layer reader's one prefilter over
        all specs' fields decides which files keep their content."""
        if entry.size > self.max_size:
            return False
        path = entry.path
        if path in self.paths:
            return True
        name = path.rpartition("/")[2]
        if name in self.basenames or path.endswith(self.suffixes):
            return True
        if path.startswith(self.prefixes):
            return True
        return self.executables and entry.is_executable

    def rank(self, path: str) -> int:
        return self.paths.index(path) if path in self.paths else len(self.paths)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileInput:
    path: str
    layer: Digest | None
    size: int
    read_bytes: Callable[[], bytes]
    read_range: Callable[[int, int], bytes] | None = None
    """Part of the content without the rest, where the tree can (see `read_at`)."""

    def read_text(self) -> str:
        return self.read_bytes().decode("utf-8", errors="replace")

    def read_at(self, offset: int, length: int) -> bytes:
        """Up to `length` bytes from `offset`: cheap when the tree reads ranges, else a slice
        of the whole content."""
        if self.read_range is not None:
            return self.read_range(offset, length)
        return self.read_bytes()[offset : offset + length]


@dataclass
class AnalysisContext:
    """Shared by analyzers in one scan: the tree, for reading sibling files, and an issue log."""

    tree: FileTree
    issues: list[Issue] = field(default_factory=list)

    def issue(self, file: FileInput, message: str) -> None:
        self.issues.append(Issue(stage="analyzer", path=file.path, layer=file.layer, message=message))


class Analyzer(Protocol):
    spec: AnalyzerSpec

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory: ...


class Deferred:
    """An analyzer known by its spec and import path (`module:Class`), imported the first time
    it has a file to read. `name` says which analyzer it stands for (in cache keys, say)."""

    def __init__(self, spec: AnalyzerSpec, name: str) -> None:
        self.spec = spec
        self.name = name
        self._loaded: Analyzer | None = None

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        return self.load().analyze(file, ctx)

    @property
    def implementation(self) -> tuple[str, str]:
        """The module and class it stands for, without importing them."""
        module, _, cls = self.name.partition(":")
        return module, cls

    def load(self) -> Analyzer:
        if self._loaded is None:
            module, cls = self.implementation
            loaded: Analyzer = getattr(importlib.import_module(module), cls)()
            assert loaded.spec == self.spec, f"{self.name}: spec differs from its registration"
            self._loaded = loaded
        return self._loaded

    def __repr__(self) -> str:
        return f"Deferred({self.name})"
