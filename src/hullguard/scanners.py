"""Scanners turn an analyzed artifact into findings: vuln, secret, config, ...

Each is one object in `SCANNERS`. A scanner may keep files in the merged tree (`wants`) and
may watch every file of every layer while the layers are read (`new_visitor`).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from hullguard.model import Artifact, Finding, Inventory, Issue
from hullguard.sources.image import Image
from hullguard.sources.layers import LayerVisitor, Removal
from hullguard.sources.tree import FileEntry, FileTree

if TYPE_CHECKING:
    from hullguard.pipeline import ScanOptions


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanContext:
    artifact: Artifact
    tree: FileTree
    inventory: Inventory
    options: ScanOptions
    image: Image | None = None
    removals: tuple[Removal, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanResult:
    findings: tuple[Finding, ...] = ()
    issues: tuple[Issue, ...] = field(default=())


class Scanner(Protocol):
    name: str

    def wants(self, entry: FileEntry) -> bool: ...

    def new_visitor(self, options: ScanOptions) -> LayerVisitor | None: ...

    def scan(self, ctx: ScanContext, visitor: LayerVisitor | None) -> ScanResult: ...


SCANNERS: tuple[tuple[str, str], ...] = (
    ("vuln", "hullguard.matchers.scanner:VulnScanner"),
    ("secret", "hullguard.secrets.scanner:SecretScanner"),
    ("config", "hullguard.rules.scanner:ConfigScanner"),
)
"""Each scanner's name and where it lives; a module is imported only when its scanner runs."""


def registered(names: Iterable[str] | None = None) -> tuple[Scanner, ...]:
    """The scanners named (all by default), in registry order."""
    wanted = None if names is None else set(names)
    found: list[Scanner] = []
    for name, where in SCANNERS:
        if wanted is not None and name not in wanted:
            continue
        module, _, cls = where.partition(":")
        found.append(getattr(importlib.import_module(module), cls)())
    return tuple(found)
