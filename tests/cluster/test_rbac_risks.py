"""`k8s rbac` and `k8s scan`: risky grants by subject, escalation chains, netpol posture, ranking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.rules import cluster_rules

FIXTURES = Path(__file__).parent / "fixtures"


def _report(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    assert main(["k8s", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_escalation_chain_from_workload_to_cluster_admin(capsys: pytest.CaptureFixture[str]) -> None:
    report = _report(capsys, "rbac", str(FIXTURES / "escalation"))
    chains = [f for f in report["findings"] if f["id"] == "HG-CL-020" and f["severity"] == "CRITICAL"]
    assert [c["location"]["escalation_path"][:5] for c in chains] == [
        [
            "Deployment ci/build-runner",
            "SA ci/builder",
            "create pods in ci",
            "SA ci/deployer",
            chains[0]["location"]["escalation_path"][4],
        ]
    ]
    assert chains[0]["location"]["escalation_path"][4].startswith(
        "cluster-admin (do anything through ClusterRoleBinding deployer-admin"
    )
    assert chains[0]["severity"] == "CRITICAL"
    assert chains[0]["location"]["subject"] == {
        "kind": "ServiceAccount",
        "name": "builder",
        "namespace": "ci",
    }
    by_id = {(f["id"], f["severity"]) for f in report["findings"]}
    # namespace-scoped create pods is MEDIUM; a cluster-wide secret read is lifted to HIGH; everyone-grants CRITICAL
    assert {
        ("HG-CL-002", "MEDIUM"),
        ("HG-CL-001", "HIGH"),
        ("HG-CL-011", "CRITICAL"),
        ("HG-CL-012", "CRITICAL"),
    } <= by_id
    # a wildcard role is one finding, not one per implied capability
    assert not any(f["id"] == "HG-CL-004" for f in report["findings"])


def test_namespace_impersonation_reaches_cluster_admin(capsys: pytest.CaptureFixture[str]) -> None:
    report = _report(capsys, "rbac", str(FIXTURES / "escalation"))
    dave = next(
        f for f in report["findings"] if f["id"] == "HG-CL-020" and f["location"]["subject"]["name"] == "dave"
    )
    assert dave["severity"] == "HIGH"
    assert dave["location"]["escalation_path"][:3] == [
        "User dave",
        "impersonate service accounts in ci",
        "SA ci/deployer",
    ]


def test_missing_role_is_an_issue_not_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    report = _report(capsys, "rbac", str(FIXTURES / "rbac"))
    assert any("does-not-exist, which does not exist" in i["message"] for i in report["issues"])


def test_scan_joins_workload_rules_netpol_and_ranking(capsys: pytest.CaptureFixture[str]) -> None:
    report = _report(capsys, "scan", str(FIXTURES / "escalation"))
    ids = {f["id"] for f in report["findings"]}
    assert {"HG-PSS-017", "HG-CL-030", "HG-CL-031", "HG-CL-020", "HG-CL-040"} <= ids
    ranking = [f for f in report["findings"] if f["id"] == "HG-CL-040"]
    assert len(ranking) == 1
    assert "leads to cluster-admin" in ranking[0]["message"]
    assert "reachable from every pod" in ranking[0]["message"]


def test_cluster_rules_are_listed() -> None:
    ids = {r.meta.id for r in cluster_rules()}
    assert {f"HG-CL-{n:03d}" for n in (*range(1, 13), 20, 30, 31, 32, 33, 40)} == ids
