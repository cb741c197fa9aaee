"""Scanners turn an analyzed artifact into findings: vuln, secret, config, ...

Each is one object in `SCANNERS`. A scanner may keep files in the merged tree (`wants`) and
may watch every file of every layer while the layers are read (`new_visitor`).
"""

from __future__ import annotations

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


def registered() -> tuple[Scanner, ...]:
    """The scanners, imported lazily so that `hullguard image --scanners vuln` loads only what it needs."""
    from hullguard.matchers.scanner import VulnScanner
    from hullguard.rules.scanner import ConfigScanner
    from hullguard.secrets.scanner import SecretScanner

    return (VulnScanner(), SecretScanner(), ConfigScanner())
