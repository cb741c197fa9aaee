"""Run one analyzer over a fixture tree with real in-image paths, as a scan would."""

from __future__ import annotations

from pathlib import Path

from hullguard.analyzers.base import Analyzer
from hullguard.analyzers.run import analyze_tree
from hullguard.model import Issue, Package
from hullguard.sources.rootfs import DirTree

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "analyzers"


def scan(analyzer: Analyzer, root: Path) -> tuple[tuple[Package, ...], tuple[Issue, ...]]:
    inventory, issues = analyze_tree(DirTree(root), (analyzer,))
    return inventory.packages, issues


def nv(packages: tuple[Package, ...]) -> set[tuple[str, str]]:
    return {(p.name, p.version) for p in packages}
