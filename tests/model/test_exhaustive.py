"""Every `match` over a finding's kind ends in `assert_never`, so that mypy names each place a
new kind of finding must be handled."""

from __future__ import annotations

import ast
from dataclasses import fields
from pathlib import Path
from typing import get_args

import hullguard
from hullguard.model import Finding, FindingKind

SRC = Path(hullguard.__file__).parent


def _kind_matches() -> list[tuple[str, ast.Match]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Match)
                and isinstance(node.subject, ast.Attribute)
                and node.subject.attr == "kind"
                and _names_a_finding_kind(node)
            ):
                found.append((f"{path.relative_to(SRC)}:{node.lineno}", node))
    return found


def _names_a_finding_kind(match: ast.Match) -> bool:
    """A match over a finding's kind (not over a rule file entry's or an event's `kind`)."""
    kinds = set(get_args(FindingKind))
    values = [
        p.value.value
        for case in match.cases
        for p in ast.walk(case.pattern)
        if isinstance(p, ast.MatchValue) and isinstance(p.value, ast.Constant)
    ]
    return any(v in kinds for v in values)


def _ends_in_assert_never(match: ast.Match) -> bool:
    last = match.cases[-1]
    wildcard = isinstance(last.pattern, ast.MatchAs) and last.pattern.pattern is None and last.guard is None
    calls = [n for n in ast.walk(last) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    return wildcard and any(c.func.id == "assert_never" for c in calls if isinstance(c.func, ast.Name))


def test_every_match_on_a_finding_kind_ends_in_assert_never() -> None:
    matches = _kind_matches()
    assert len(matches) >= 3  # table, json, sarif
    assert [where for where, m in matches if not _ends_in_assert_never(m)] == []


def test_finding_kinds_are_the_union_members_kinds() -> None:
    kinds = {next(f.default for f in fields(t) if f.name == "kind") for t in get_args(Finding)}
    assert kinds == set(get_args(FindingKind))
