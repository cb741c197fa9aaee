"""Falco's own rule files (../shared/conformance/falco-rules) load: every stable rule, and the
incubating and sandbox rules except those that need fields hullguard cannot supply."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.runtime.rules import load_rules

pytestmark = pytest.mark.conformance


def rules_dir(shared: Path) -> Path:
    return shared / "conformance" / "falco-rules" / "rules"


def test_every_stable_rule_loads(shared_dir: Path) -> None:
    rs = load_rules([rules_dir(shared_dir) / "falco_rules.yaml"])
    assert rs.problems == ()
    assert len(rs.rules) == 25
    names = {r.name for r in rs.rules}
    assert {"Read sensitive file untrusted", "Terminal shell in container", "Drop and execute new binary in container",
            "Execution from /dev/shm", "Search Private Keys or Passwords"} <= names


def test_incubating_and_sandbox_counts(shared_dir: Path) -> None:
    d = rules_dir(shared_dir)
    incubating = load_rules([d / "falco_rules.yaml", d / "falco-incubating_rules.yaml"])
    sandbox = load_rules([d / "falco_rules.yaml", d / "falco-sandbox_rules.yaml"])
    assert (len(incubating.rules) - 25, len(incubating.problems)) == (31, 0)
    assert (len(sandbox.rules) - 25, len(sandbox.problems)) == (36, 1)
    (problem,) = sandbox.problems
    assert problem.name == "Java Process Class File Download" and "evt.buffer" in problem.message


def test_audit_rules_are_reported_not_dropped(shared_dir: Path) -> None:
    rs = load_rules([shared_dir / "conformance" / "falco-rules" / "k8s_audit_rules.yaml"])
    assert rs.rules == ()
    assert rs.problems and all("k8s_audit" in p.message for p in rs.problems if p.kind == "rule")
