"""The filters every kind of finding shares: VEX, severity, --ignore-unfixed, --ignorefile."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from hullguard.model import Finding, Issue
from hullguard.model.finding import sort_findings
from hullguard.pipeline.options import Filters


def filter_findings(
    findings: Iterable[Finding], filters: Filters, today: date
) -> tuple[tuple[Finding, ...], tuple[Issue, ...]]:
    """What remains, sorted, and notes: each VEX suppression, and an expired ignore entry
    (which no longer hides anything)."""
    kept = list(findings)
    notes: list[Issue] = []
    if filters.vex:
        from hullguard.matchers.suppress import suppress

        kept, vex_notes = suppress(kept, filters.vex)
        notes += vex_notes
    if filters.severities is not None:
        kept = [f for f in kept if f.severity in filters.severities]
    if filters.ignore_unfixed:
        kept = [f for f in kept if f.kind != "vulnerability" or f.fixed_version]
    if filters.ignore_rules:
        from hullguard.ignorefile import apply_ignore_rules

        kept, ignore_notes = apply_ignore_rules(kept, filters.ignore_rules, today)
        notes += ignore_notes
    return sort_findings(kept), tuple(notes)
