"""`hullguard admission test` and start-up refusals, through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from hullguard.cli.main import main
from tests.admission.conftest import run_webhook

POLICY = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  validations:
  - expression: "object.spec.replicas <= 5"
    messageExpression: "'replicas ' + string(object.spec.replicas) + ' > 5'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: max-replicas-everywhere}
spec: {policyName: max-replicas, validationActions: [Deny]}
"""


def _deployment(tmp: Path, replicas: int) -> Path:
    path = tmp / f"deploy-{replicas}.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": "apps/v1", "kind": "Deployment",
                                    "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": replicas}}))  # fmt: skip
    return path


def test_offline_verdicts_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    assert main(["admission", "test", str(policy), str(_deployment(tmp_path, 9))]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "deny"
    assert out["response"]["status"]["message"] == (
        "hullguard denied Deployment shop/web: ValidatingAdmissionPolicy 'max-replicas' with binding "
        "'max-replicas-everywhere' denied request: replicas 9 > 5"
    )
    assert main(["admission", "test", str(policy), str(_deployment(tmp_path, 2))]) == 0
    assert json.loads(capsys.readouterr().out)["response"]["allowed"] is True


def test_offline_test_combines_with_pss(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    pod = tmp_path / "pod.yaml"
    pod.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n  containers: [{name: c, image: x}]\n"
    )
    assert main(["admission", "test", str(policy), str(pod), "--pss", "baseline"]) == 1
    assert "baseline:v1.37/hostNamespaces" in capsys.readouterr().out


def test_a_policy_that_does_not_compile_is_refused_with_file_line_and_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "broken.yaml"
    policy.write_text(POLICY.replace("object.spec.replicas <= 5", "object.spec.replicas <= "))
    assert main(["admission", "test", str(policy), str(_deployment(tmp_path, 1))]) == 2
    err = capsys.readouterr().err
    assert f"{policy}:9: ValidatingAdmissionPolicy 'max-replicas': spec.validations[0].expression" in err
    assert "expression:1:25: Syntax error" in err
    cert = tmp_path / "none.pem"
    serve = subprocess.run(
        [sys.executable, "-m", "hullguard.cli.main", "admission", "serve", "--listen", "127.0.0.1:1",
         "--tls-cert", str(cert), "--tls-key", str(cert), "--policy", str(policy)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert serve.returncode == 2
    assert "expression:1:25: Syntax error" in serve.stderr
    assert "Traceback" not in serve.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--rules", "HG-NOPE"], "unknown Kubernetes rule id"),
        (["--pss", "restricted", "--pss-version", "2.0"], "policy version"),
        (["--min-severity", "urgent"], "unknown severity"),
        (["--require-signature"], "--require-signature needs --key"),
        (["--require-signature", "--key", "k.pub", "--certificate-identity", "a@b"], "not both"),
        (["--require-signature", "--certificate-identity", "a@b"], "--certificate-oidc-issuer"),
        (
            [
                "--require-signature",
                "--certificate-identity",
                "a@b",
                "--certificate-identity-regexp",
                "a",
                "--certificate-oidc-issuer",
                "https://x",
            ],
            "--certificate-identity",
        ),
    ],
)
def test_unusable_options_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    assert main(["admission", "test", str(policy), str(_deployment(tmp_path, 1)), *args]) == 2
    assert said in capsys.readouterr().err


def test_a_vap_is_enforced_by_the_running_webhook(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    deployment = yaml.safe_load(_deployment(tmp_path, 7).read_text())
    with run_webhook(tmp_path, "--policy", str(policy)) as hook:
        response = hook.review(deployment)
        assert response["allowed"] is False
        assert response["status"]["code"] == 422
        assert response["status"]["reason"] == "Invalid"
        assert "denied request: replicas 7 > 5" in response["status"]["message"]
        deployment["spec"]["replicas"] = 1
        assert hook.review(deployment)["allowed"] is True


def test_namespaces_from_a_kubectl_dump_set_the_pss_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The shape `kubectl get namespaces -o json` prints (a v1 List; recorded fields, no API server here)."""
    dump = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": [
        {"apiVersion": "v1", "kind": "Namespace",
         "metadata": {"name": "legacy", "uid": "0f6b4c1e-7f5e-4f7a-9d43-3b1a0d1f2e11", "resourceVersion": "412",
                      "creationTimestamp": "2026-01-05T10:00:00Z",
                      "labels": {"kubernetes.io/metadata.name": "legacy",
                                 "pod-security.kubernetes.io/enforce": "baseline"}},
         "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}]}  # fmt: skip
    namespaces = tmp_path / "namespaces.json"
    namespaces.write_text(json.dumps(dump))
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    pod = tmp_path / "pod.yaml"
    pod.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x}]\n"
    )
    common = [
        "admission",
        "test",
        str(policy),
        str(pod),
        "--pss",
        "restricted",
        "--namespaces",
        str(namespaces),
    ]
    assert main([*common, "--namespace", "legacy"]) == 0
    assert main([*common, "--namespace", "other"]) == 1
    capsys.readouterr()
    namespaces.write_text(json.dumps({"kind": "List", "items": [{"kind": "Pod", "metadata": {"name": "x"}}]}))
    assert main([*common, "--namespace", "legacy"]) == 2
    assert "a Namespace object with metadata.name is expected" in capsys.readouterr().err


def test_policies_are_reloaded_when_their_file_changes(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    deployment = yaml.safe_load(_deployment(tmp_path, 7).read_text())

    def wait_for(allowed: bool) -> None:
        deadline = time.monotonic() + 20
        while hook.review(deployment)["allowed"] is not allowed:
            assert time.monotonic() < deadline, f"the webhook did not switch to allowed={allowed}"
            time.sleep(0.3)

    with run_webhook(tmp_path, "--policy", str(policy)) as hook:
        assert hook.review(deployment)["allowed"] is False
        policy.write_text(POLICY.replace("<= 5", "<= 10").replace("> 5", "> 10"))
        wait_for(True)
        policy.write_text(POLICY.replace("<= 5", "<="))  # does not compile: the last good policies stay
        time.sleep(5)
        assert hook.review(deployment)["allowed"] is True
        policy.write_text(POLICY)
        wait_for(False)
    log = (tmp_path / "serve.log").read_text()
    assert "policies not reloaded, the previous ones stay" in log and "Syntax error" in log
