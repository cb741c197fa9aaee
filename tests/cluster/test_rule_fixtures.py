"""Every cluster rule (HG-CL-*) against its pass/ and fail/ folders in tests/cluster/rules/: the whole
cluster analysis runs on each, and the rule must (not) be among the findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.cluster.load import load_path
from hullguard.cluster.posture.scan import scan_cluster
from hullguard.rules import cluster_rules

RULES = Path(__file__).parent / "rules"


def cases() -> list[tuple[str, str, Path]]:
    return [
        (rule_dir.name, verdict, file)
        for rule_dir in sorted(RULES.iterdir())
        for verdict in ("pass", "fail")
        for file in sorted((rule_dir / verdict).glob("*.yaml"))
    ]


@pytest.mark.parametrize(
    ("rule_id", "verdict", "file"), cases(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_cluster_rule_fixture(rule_id: str, verdict: str, file: Path) -> None:
    report = scan_cluster(load_path(file))
    found = [f for f in report.findings if f.id == rule_id]
    assert not report.issues, report.issues
    if verdict == "pass":
        assert found == [], f"{rule_id} should pass {file}: {[f.message for f in found]}"
    else:
        assert found, f"{rule_id} should fail {file}"


def test_every_cluster_rule_has_pass_and_fail_fixtures() -> None:
    have = {(rule_id, verdict) for rule_id, verdict, _ in cases()}
    missing = [
        (r.meta.id, v) for r in cluster_rules() for v in ("pass", "fail") if (r.meta.id, v) not in have
    ]
    assert missing == []
    assert {d.name for d in RULES.iterdir()} == {r.meta.id for r in cluster_rules()}
