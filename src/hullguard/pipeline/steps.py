"""Steps every target shares: run the scanners over what the earlier stages produced."""

from __future__ import annotations

from hullguard.model import Finding, Issue
from hullguard.pipeline.progress import Run
from hullguard.scanners import ScanContext, Scanner
from hullguard.sources.tree import LayerVisitor


def run_scanners(
    active: tuple[Scanner, ...], ctx: ScanContext, visitors: dict[str, LayerVisitor | None], run: Run
) -> tuple[list[Finding], list[Issue]]:
    findings: list[Finding] = []
    issues: list[Issue] = []
    for scanner in active:
        run.step(scanner.name)
        result = scanner.scan(ctx, visitors.get(scanner.name))
        findings.extend(result.findings)
        issues.extend(result.issues)
    return findings, issues
