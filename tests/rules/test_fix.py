"""`config --fix`: hardened manifests pass restricted PSS, keep comments and order, keep a backup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from hullguard.cli.main import main
from hullguard.rules.fix import fix_file
from hullguard.rules.kubernetes import pss

MANIFEST = """\
# The shop's web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web  # keep this name
  namespace: shop
spec:
  replicas: 2
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/web: unconfined
    spec:
      hostPID: true
      initContainers:
        - name: init
          image: busybox:1.36
          securityContext: {procMount: Unmasked, seccompProfile: {type: Unconfined}}
      containers:
        - name: web
          image: "nginx:1.27"
          ports:
            - containerPort: 80
              hostPort: 80
          livenessProbe: {httpGet: {host: 10.0.0.1, port: 80}}
          securityContext:
            privileged: true
            runAsUser: 0
            capabilities:
              add: [SYS_ADMIN, NET_BIND_SERVICE]
      securityContext:
        sysctls: [{name: kernel.msgmax, value: "1"}]
        seLinuxOptions: {type: spc_t}
      volumes:
        - name: data
          hostPath: {path: /srv/data}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: ClusterIP
"""


def test_fixed_manifest_passes_restricted_and_keeps_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "app.yaml"
    target.write_text(MANIFEST)
    before = yaml.safe_load_all(MANIFEST)
    pod_before = next(before)["spec"]["template"]
    assert len(pss.evaluate("restricted", pss.NEWEST_MINOR, pod_before["metadata"], pod_before["spec"])) >= 8

    assert main(["config", str(tmp_path), "--fix", "--pss", "restricted", "--only-pss", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == []
    assert (tmp_path / "app.yaml.orig").read_text() == MANIFEST

    text = target.read_text()
    assert text.startswith("# The shop's web tier\n")
    assert "name: web  # keep this name" in text
    assert text.index("replicas") < text.index("template")
    docs = list(yaml.safe_load_all(text))
    pod = docs[0]["spec"]["template"]
    assert pss.evaluate("restricted", pss.NEWEST_MINOR, pod["metadata"], pod["spec"]) == []
    web = pod["spec"]["containers"][0]
    assert web["securityContext"]["capabilities"] == {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}
    assert web["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["spec"]["automountServiceAccountToken"] is False
    assert docs[1] == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"type": "ClusterIP"},
    }


def test_fix_leaves_non_workloads_and_templates_alone(tmp_path: Path) -> None:
    service = tmp_path / "svc.yaml"
    service.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n")
    template = tmp_path / "deploy.yaml"
    template.write_text("kind: Deployment\nmetadata: {name: {{ .Release.Name }}}\n")
    assert fix_file(service) is None and fix_file(template) is None
    assert not list(tmp_path.glob("*.orig"))


def test_second_fix_keeps_the_first_backup(tmp_path: Path) -> None:
    target = tmp_path / "pod.yaml"
    target.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x:1\n"
    )
    assert "hardened" in (fix_file(target) or "")
    assert fix_file(target) == f"{target}: already hardened"
    assert "securityContext" not in (tmp_path / "pod.yaml.orig").read_text()
