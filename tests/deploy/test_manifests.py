"""deploy/kubernetes passes hullguard's own checks: restricted Pod Security for everything but the
runtime DaemonSet (which needs kernel access; its exceptions are listed exactly), and no HIGH or
CRITICAL misconfiguration anywhere else."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import yaml

from hullguard.cli.main import main
from tests.conftest import REPO

DEPLOY = REPO / "deploy" / "kubernetes"
RUNTIME = "60-runtime.yaml"
RUNTIME_NEEDS = {"HG-PSS-003", "HG-PSS-014", "HG-PSS-016", "HG-PSS-017"}
"""hostPID, added capabilities (BPF, PERFMON, SYS_ADMIN, ...), a hostPath for /sys/kernel, root."""


def _config(*args: str) -> list[dict[str, object]]:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["config", str(DEPLOY), "--format", "json", "--quiet", *args]) == 0
    doc = json.loads(out.getvalue())
    assert doc["issues"] == []
    return doc["findings"]  # type: ignore[no-any-return]


def _file(finding: dict[str, object]) -> str:
    return Path(str(finding["location"]["path"])).name  # type: ignore[index]


def test_restricted_pss_holds_except_the_runtime_daemonset() -> None:
    findings = _config("--only-pss", "--pss", "restricted")
    assert [f for f in findings if _file(f) != RUNTIME] == []
    assert {str(f["id"]) for f in findings} == RUNTIME_NEEDS


def test_no_high_misconfiguration_outside_the_runtime_daemonset() -> None:
    serious = [f for f in _config() if f["severity"] in ("HIGH", "CRITICAL") and _file(f) != RUNTIME]
    assert serious == []


def test_every_component_is_deployed_with_least_privilege() -> None:
    docs = [d for path in sorted(DEPLOY.glob("*.yaml")) for d in yaml.safe_load_all(path.read_text()) if d]
    workloads = {d["metadata"]["name"]: d for d in docs if d["kind"] in ("Deployment", "StatefulSet", "DaemonSet")}
    assert set(workloads) == {"hullguard-server", "hullguard-worker", "hullguard-postgres", "hullguard-redis",
                              "hullguard-admission", "hullguard-runtime"}
    assert workloads["hullguard-runtime"]["kind"] == "DaemonSet"
    for name, workload in workloads.items():
        spec = workload["spec"]["template"]["spec"]
        if name != "hullguard-runtime":
            assert spec["automountServiceAccountToken"] is False, name
    rbac = [d for d in docs if d["kind"] in ("Role", "ClusterRole")]
    assert [r["metadata"]["name"] for r in rbac] == ["hullguard-runtime"]
    assert rbac[0]["rules"] == [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}]
    namespaces = {d["metadata"]["name"]: d["metadata"]["labels"] for d in docs if d["kind"] == "Namespace"}
    assert namespaces["hullguard"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_k8s_rbac_finds_no_risky_grant_in_the_manifests(capsys: pytest.CaptureFixture[str]) -> None:
    """hullguard's own RBAC analysis of its deployment: no risk, no escalation path."""
    assert main(["k8s", "rbac", str(DEPLOY), "--format", "json", "--quiet"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == []
    assert not [i for i in report["issues"] if "not used by cluster analysis" not in i["message"]]
