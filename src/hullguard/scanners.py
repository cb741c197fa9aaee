"""Scanners turn an analyzed artifact into findings: vuln, secret, config, ...

A scanner is built for one scan with its own options (the registry is `pipeline.scanners`).
It may keep files in the merged tree (`wants`) and may watch every file of every layer while
the layers are read (`new_visitor`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from hullguard.model import Artifact, Digest, Finding, Inventory, Issue
from hullguard.sources.image import Image
from hullguard.sources.tree import FileEntry, FileTree, LayerVisitor, Removal


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanContext:
    """What the source and analysis stages hand the scanners, as data."""

    artifact: Artifact
    tree: FileTree
    inventory: Inventory
    image: Image | None = None
    removals: tuple[Removal, ...] = ()
    base_layers: frozenset[Digest] | None = None
    """The diff_ids the image shares with its base image; None when no base is known."""
    issues: tuple[Issue, ...] = ()
    """What the earlier stages could not read (a scanner may skip what they skipped)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanResult:
    findings: tuple[Finding, ...] = ()
    issues: tuple[Issue, ...] = field(default=())


class Scanner(Protocol):
    name: str
    keeps_content: bool
    """Whether `wants` can ever say yes. When it cannot, the pipeline never asks, and a warm
    scan answered by the image cache never even lists the tree."""

    def wants(self, entry: FileEntry) -> bool: ...

    def new_visitor(self) -> LayerVisitor | None: ...

    def scan(self, ctx: ScanContext, visitor: LayerVisitor | None) -> ScanResult: ...
