"""Suppression of vulnerability findings: ignore-file entries and VEX `not_affected` statements.
Both come parsed in ScanOptions (by the CLI) and leave a note for each thing they did."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from hullguard.matchers.ignorefile import IgnoreRule
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
    kept: list[Vulnerability] = []
    notes: list[Issue] = []
    expired_noted: set[int] = set()
    for finding in findings:
        ids = {finding.id, *finding.aliases}
        rule = next((r for r in rules if r.applies(finding, ids)), None)
        if rule is not None and rule.expires is not None and rule.expires < today:
            if id(rule) not in expired_noted:
                expired_noted.add(id(rule))
                notes.append(
                    Issue(
                        stage="ignorefile",
                        path=rule.source,
                        message=f"entry {rule.id} expired on {rule.expires.isoformat()}; it no longer suppresses"
                        + (f" (reason was: {rule.reason})" if rule.reason else ""),
                    )
                )
            rule = None
        if rule is not None:
            continue
        statement = next((s for s in statements if s.applies(finding, ids)), None)
        if statement is not None:
            notes.append(
                Issue(
                    stage="vex",
                    path=statement.source,
                    message=f"{finding.id} in {finding.package.name} {finding.package.version} is not_affected: "
                    f"{statement.justification or 'no justification given'}"
                    + (f" ({statement.detail})" if statement.detail else ""),
                )
            )
            continue
        kept.append(finding)
    return kept, notes
