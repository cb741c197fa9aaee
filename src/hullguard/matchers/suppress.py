"""Suppression of vulnerability findings: ignore-file entries and VEX `not_affected` statements.
Both come parsed in ScanOptions (by the CLI) and leave a note for each thing they did."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from hullguard.matchers.ignorefile import IgnoreRule, apply_ignore_rules
from hullguard.matchers.vex import VexStatement
from hullguard.model import Issue, Vulnerability

if TYPE_CHECKING:
    from hullguard.pipeline import ScanOptions


def suppress(
    findings: Iterable[Vulnerability], options: ScanOptions
) -> tuple[list[Vulnerability], list[Issue]]:
    rules: tuple[IgnoreRule, ...] = options.get("ignore_rules", ()) or ()  # type: ignore[assignment]
    statements: tuple[VexStatement, ...] = options.get("vex_statements", ()) or ()  # type: ignore[assignment]
    today = options.get("today") or datetime.now(UTC).date()
    assert isinstance(today, date)
    remaining, notes = apply_ignore_rules(findings, rules, today)
    kept: list[Vulnerability] = []
    for finding in remaining:
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
