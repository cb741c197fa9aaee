"""`k8s scan --scanners vuln`: the real demo image (debootstrap bookworm, pip and npm layers) scanned
once through the image pipeline, and the risk ranking that joins its CVEs with privilege, exposure
and service-account rights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.cli.main import main
from tests.support.images import BuiltImage

PODS = """\
apiVersion: v1
kind: Pod
metadata: {{name: exposed, namespace: apps, labels: {{app: exposed}}}}
spec:
  serviceAccountName: reader
  containers: [{{name: c, image: "{image}", securityContext: {{privileged: true}}}}]
---
apiVersion: v1
kind: Pod
metadata: {{name: isolated, namespace: apps, labels: {{app: isolated}}}}
spec:
  automountServiceAccountToken: false
  securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}
  containers:
  - name: c
    image: "{image}"
    securityContext: {{allowPrivilegeEscalation: false, capabilities: {{drop: [ALL]}}, readOnlyRootFilesystem: true}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: isolate, namespace: apps}}
spec:
  podSelector: {{matchLabels: {{app: isolated}}}}
  policyTypes: [Ingress, Egress]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: secrets, namespace: apps}}
rules: [{{apiGroups: [""], resources: [secrets], verbs: [get, list]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: reader-secrets, namespace: apps}}
subjects: [{{kind: ServiceAccount, name: reader, namespace: apps}}]
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: secrets}}
"""


def test_same_cve_ranks_higher_when_privileged_exposed_and_secret_reading(
    demo_image: BuiltImage, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pods.yaml").write_text(PODS.format(image=demo_image.archive))
    argv = [
        "k8s",
        "scan",
        str(tmp_path),
        "--scanners",
        "vuln,config",
        "--cache-dir",
        str(tmp_path / "cache"),
        "-f",
        "json",
    ]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    vulns = [f for f in report["findings"] if f["kind"] == "vulnerability"]
    assert vulns and len({(v["id"], v["package"]["name"]) for v in vulns}) == len(
        vulns
    )  # one scan for both pods
    ranking = sorted((f for f in report["findings"] if f["id"] == "HG-CL-040"), key=lambda f: f["message"])
    assert [r["location"]["object"]["name"] for r in ranking] == ["exposed", "isolated"]
    exposed, isolated = ranking
    assert exposed["message"].startswith("#1 ") and isolated["message"].startswith("#2 ")
    for reason in ("privileged", "reachable from every pod", "can read secrets", "critical vulnerabilities"):
        assert reason in exposed["message"]
    assert "critical vulnerabilities" in isolated["message"] and "privileged" not in isolated["message"]
    assert exposed["severity"] == "CRITICAL" and isolated["severity"] != "CRITICAL"
