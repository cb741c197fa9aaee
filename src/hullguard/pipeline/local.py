"""Scanning what needs no image: a directory, an SBOM, config files, a registry's setup."""

from __future__ import annotations

from hullguard.model import Artifact, ArtifactType, Finding, Issue, Report
from hullguard.pipeline.filters import filter_findings
from hullguard.pipeline.options import ScanOptions
from hullguard.pipeline.progress import Run
from hullguard.pipeline.scanners import registered
from hullguard.pipeline.steps import run_scanners
from hullguard.pipeline.targets import ConfigTarget, FsTarget, RegistryTarget, SbomTarget
from hullguard.scanners import ScanContext
from hullguard.sources.rootfs import DirTree
from hullguard.sources.tree import FileTree


def scan_fs(target: FsTarget, options: ScanOptions, run: Run) -> Report:
    from hullguard.analyzers import ANALYZERS
    from hullguard.analyzers.run import analyze_tree

    run.step("source", detail=str(target.path))
    tree: FileTree = DirTree(target.path)
    inventory, issues = analyze_tree(tree, ANALYZERS if options.analyzers is None else options.analyzers)
    artifact = Artifact(name=str(target.path), type=ArtifactType.FILESYSTEM, os=inventory.os)
    active = registered(options)
    ctx = ScanContext(artifact=artifact, tree=tree, inventory=inventory, issues=tuple(issues))
    findings, scan_issues = run_scanners(active, ctx, {s.name: None for s in active}, run)
    kept, notes = filter_findings(findings, options.filters, options.today())
    return Report(
        artifact=artifact, packages=inventory.packages, findings=kept, issues=(*issues, *scan_issues, *notes)
    )


def scan_sbom(target: SbomTarget, options: ScanOptions, run: Run) -> Report:
    """Vulnerabilities (and any other inventory-based scanner) for a CycloneDX or SPDX SBOM."""
    from hullguard.sources.sbom import EmptyTree, read_sbom

    run.step("source", detail=str(target.path))
    sbom = read_sbom(target.path)
    artifact = Artifact(name=sbom.name, type=ArtifactType.SBOM, os=sbom.inventory.os)
    active = registered(options)
    ctx = ScanContext(
        artifact=artifact, tree=EmptyTree(), inventory=sbom.inventory, issues=tuple(sbom.issues)
    )
    findings, scan_issues = run_scanners(active, ctx, {s.name: None for s in active}, run)
    kept, notes = filter_findings(findings, options.filters, options.today())
    return Report(
        artifact=artifact,
        packages=sbom.inventory.packages,
        findings=kept,
        issues=(*sbom.issues, *scan_issues, *notes),
    )


def scan_config_files(target: ConfigTarget, options: ScanOptions, run: Run) -> Report:
    """Misconfigurations (scanner `config`) and secrets (scanner `secret`) in config files."""
    findings: list[Finding] = []
    issues: list[Issue] = []
    for path in target.paths:
        if "secret" in options.scanners:
            from hullguard.secrets.config_target import config_secrets

            run.step("secret", detail=str(path))
            found, problems = config_secrets(path, options.secret)
            findings.extend(found)
            issues.extend(problems)
        if "config" in options.scanners:
            from hullguard.rules.engine import ConfigOptions, scan_config

            run.step("config", detail=str(path))
            result = scan_config(path, options.config or ConfigOptions())
            findings.extend(result.findings)
            issues.extend(result.issues)
    kept, notes = filter_findings(findings, options.filters, options.today())
    name = str(target.path) if not target.more else f"{target.path} and {len(target.more)} more"
    return Report(
        artifact=Artifact(name=name, type=ArtifactType.CONFIG),
        findings=kept,
        issues=(*issues, *notes),
    )


def audit_registry(target: RegistryTarget, options: ScanOptions, run: Run) -> Report:
    from hullguard.registry.audit import audit_registry

    run.step("registry", detail=target.url)
    result = audit_registry(target.url, target.registry, target.audit)
    kept, notes = filter_findings(result.findings, options.filters, options.today())
    return Report(
        artifact=Artifact(name=result.url, type=ArtifactType.CONFIG),
        findings=kept,
        issues=(*result.issues, *notes),
    )
