"""Suppression of vulnerability findings by VEX `not_affected` statements (parsed by the CLI
into ScanOptions); each suppression leaves a note. The ignore file applies to every kind of
finding, so it lives in the pipeline's filters (`hullguard.ignorefile`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from hullguard.matchers.vex import VexStatement
from hullguard.model import Issue, Vulnerability

if TYPE_CHECKING:
    from hullguard.pipeline import ScanOptions


def suppress(
    findings: Iterable[Vulnerability], options: ScanOptions
) -> tuple[list[Vulnerability], list[Issue]]:
    statements: tuple[VexStatement, ...] = options.get("vex_statements", ()) or ()  # type: ignore[assignment]
    notes: list[Issue] = []
    kept: list[Vulnerability] = []
    for finding in findings:
        assert finding.kind == "vulnerability"
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
