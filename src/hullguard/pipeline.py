"""scan(target, options) -> Report: the one orchestrator. Source, tree, analyzers, scanners."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hullguard import scanners as scanner_registry
from hullguard.cache import default_cache_dir
from hullguard.ignorefile import IgnoreRule, apply_ignore_rules
from hullguard.model import Artifact, ArtifactType, Finding, Issue, Report, Severity
from hullguard.model.finding import sort_findings
from hullguard.scanners import ScanContext, Scanner
from hullguard.sources import SourceOptions, open_image
from hullguard.sources.image import LayerRef
from hullguard.sources.layers import LayerHashes, LayerVisitor
from hullguard.sources.rootfs import DirTree
from hullguard.sources.tree import FileTree

if TYPE_CHECKING:
    from hullguard.analyzers.base import Analyzer

ALL_SCANNERS = ("vuln", "secret", "config")


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanOptions:
    scanners: frozenset[str] = frozenset({"vuln", "secret"})
    source: SourceOptions = field(default_factory=SourceOptions)
    severities: frozenset[Severity] | None = None
    ignore_unfixed: bool = False
    list_packages: bool = True
    cache_dir: Path | None = None
    offline: bool = False
    extra: tuple[tuple[str, object], ...] = ()
    """Options a scanner owns (ignore file, secret config, ...), by name."""

    def get(self, key: str, default: object = None) -> object:
        return dict(self.extra).get(key, default)


def _active(options: ScanOptions) -> tuple[Scanner, ...]:
    return scanner_registry.registered(options.scanners)


def scan_image(
    target: str,
    options: ScanOptions,
    analyzers: tuple[Analyzer, ...] | None = None,
    on_layer: Callable[[LayerRef, int], None] | None = None,
) -> Report:
    """`analyzers` defaults to all registered ones."""
    active = _active(options)
    visitors = {s.name: s.new_visitor(options) for s in active}

    # The layers on disk are hashed in a second thread from the start, while this one loads
    # the analyzers (a sixth of a cold scan's time) and then reads the layers.
    with open_image(target, options.source) as image, LayerHashes(image.layers) as hashes:
        from hullguard.analyzers import ANALYZERS
        from hullguard.cache.analyze import analyze_image

        analyzers = tuple(a for a in (ANALYZERS if analyzers is None else analyzers) if not a.spec.pre_build)
        count = len(image.layers)
        progress = (lambda layer: on_layer(layer, count)) if on_layer else None
        live = tuple(v for v in visitors.values() if v is not None)
        cache_root = None if options.get("no_cache") else (options.cache_dir or default_cache_dir())
        with analyze_image(image, analyzers, active, live, cache_root, progress, hashes) as (tree, analysis):
            inventory = analysis.inventory
            artifact = Artifact(
                name=image.name,
                type=ArtifactType.CONTAINER_IMAGE,
                digest=image.manifest_digest or image.config_digest,
                os=inventory.os,
                layers=tuple(layer.diff_id for layer in image.layers),
            )
            ctx = ScanContext(
                artifact=artifact,
                tree=tree,
                inventory=inventory,
                options=options,
                image=image,
                removals=analysis.removals,
            )
            findings, scan_issues = _run_scanners(active, ctx, visitors)
            kept, notes = filter_findings(findings, options)
            return Report(
                artifact=artifact,
                packages=inventory.packages,
                findings=kept,
                issues=(*analysis.issues, *scan_issues, *notes),
            )


def scan_fs(path: Path, options: ScanOptions, analyzers: tuple[Analyzer, ...] | None = None) -> Report:
    """`analyzers` defaults to all registered ones."""
    from hullguard.analyzers import ANALYZERS
    from hullguard.analyzers.run import analyze_tree

    tree: FileTree = DirTree(path)
    inventory, issues = analyze_tree(tree, ANALYZERS if analyzers is None else analyzers)
    artifact = Artifact(name=str(path), type=ArtifactType.FILESYSTEM, os=inventory.os)
    active = _active(options)
    ctx = ScanContext(artifact=artifact, tree=tree, inventory=inventory, options=options)
    findings, scan_issues = _run_scanners(active, ctx, {s.name: None for s in active})
    kept, notes = filter_findings(findings, options)
    return Report(
        artifact=artifact,
        packages=inventory.packages,
        findings=kept,
        issues=(*issues, *scan_issues, *notes),
    )


def scan_sbom(path: Path, options: ScanOptions) -> Report:
    """Vulnerabilities (and any other inventory-based scanner) for a CycloneDX or SPDX SBOM."""
    from hullguard.sources.sbom import EmptyTree, read_sbom

    sbom = read_sbom(path)
    artifact = Artifact(name=sbom.name, type=ArtifactType.SBOM, os=sbom.inventory.os)
    active = _active(options)
    ctx = ScanContext(artifact=artifact, tree=EmptyTree(), inventory=sbom.inventory, options=options)
    findings, scan_issues = _run_scanners(active, ctx, {s.name: None for s in active})
    kept, notes = filter_findings(findings, options)
    return Report(
        artifact=artifact,
        packages=sbom.inventory.packages,
        findings=kept,
        issues=(*sbom.issues, *scan_issues, *notes),
    )


def _run_scanners(
    active: tuple[Scanner, ...], ctx: ScanContext, visitors: dict[str, LayerVisitor | None]
) -> tuple[list[Finding], list[Issue]]:
    findings: list[Finding] = []
    issues: list[Issue] = []
    for scanner in active:
        result = scanner.scan(ctx, visitors.get(scanner.name))
        findings.extend(result.findings)
        issues.extend(result.issues)
    return findings, issues


def filter_findings(
    findings: list[Finding] | tuple[Finding, ...], options: ScanOptions
) -> tuple[tuple[Finding, ...], tuple[Issue, ...]]:
    """The filters every kind of finding shares: severity, --ignore-unfixed and --ignorefile.

    Returns what remains, sorted, and notes (an expired ignore entry says it no longer hides).
    """
    kept = [f for f in findings if options.severities is None or f.severity in options.severities]
    if options.ignore_unfixed:
        kept = [f for f in kept if f.kind != "vulnerability" or f.fixed_version]
    rules: tuple[IgnoreRule, ...] = options.get("ignore_rules", ()) or ()  # type: ignore[assignment]
    notes: list[Issue] = []
    if rules:
        today = options.get("today") or datetime.now(UTC).date()
        assert isinstance(today, date)
        kept, notes = apply_ignore_rules(kept, rules, today)
    return sort_findings(kept), tuple(notes)
