"""Suppression of vulnerability findings by VEX `not_affected` statements; each suppression
leaves a note. The pipeline's filters call it (`pipeline.filters`), like the ignore file."""

from __future__ import annotations

from collections.abc import Iterable

from hullguard.matchers.vex import VexStatement
from hullguard.model import Finding, Issue


def suppress(
    findings: Iterable[Finding], statements: tuple[VexStatement, ...]
) -> tuple[list[Finding], list[Issue]]:
    """The findings no statement covers (every other kind passes), and a note per suppression."""
    notes: list[Issue] = []
    kept: list[Finding] = []
    for finding in findings:
        if finding.kind != "vulnerability":
            kept.append(finding)
            continue
        statement = next((s for s in statements if s.applies(finding, {finding.id, *finding.aliases})), None)
        if statement is None:
            kept.append(finding)
            continue
        notes.append(
            Issue(
                stage="vex",
                path=statement.source,
                message=f"{finding.id} in {finding.package.name} {finding.package.version} is not_affected: "
                f"{statement.justification or 'no justification given'}"
                + (f" ({statement.detail})" if statement.detail else ""),
            )
        )
    return kept, notes
