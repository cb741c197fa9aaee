"""`admission manifests`: ready for kubectl apply, the webhook's own Deployment restricted under PSS
(checked by hullguard's own PSS check and by its own webhook), TLS material that verifies."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509

from hullguard.admission.config import Settings, build_reviewer
from hullguard.admission.review import make_review, parse_review
from hullguard.admission.server import tls_context
from hullguard.cli.main import main
from tests.admission.test_cli import POLICY


def _manifests(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert main(["admission", "manifests", *args]) == 0
    return list(yaml.safe_load_all(capsys.readouterr().out))


def _kind(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (found,) = [d for d in docs if d["kind"] == kind]
    return found


def test_every_object_is_there_and_the_deployment_is_restricted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    docs = _manifests(capsys, "--namespace", "guard", "--pss", "restricted", "--policy", str(policy))
    kinds = [d["kind"] for d in docs]
    assert kinds == ["Namespace", "ServiceAccount", "Secret", "ConfigMap", "Deployment", "Service", "NetworkPolicy",
                     "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]  # fmt: skip
    out = tmp_path / "manifests.yaml"
    out.write_text(yaml.safe_dump_all(docs))
    report = tmp_path / "report.json"
    assert main(["config", str(out), "--only-pss", "--pss", "restricted", "--format", "json", "--output", str(report)]) == 0
    assert json.loads(report.read_text())["findings"] == []
    deployment = _kind(docs, "Deployment")
    reviewer = build_reviewer(Settings(pss_level="restricted"))
    decision = reviewer.review(parse_review(json.dumps(make_review(deployment)).encode()))
    assert decision.allowed, decision.message
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[:2] == ["admission", "serve"] and "--pss" in args
    assert "/etc/hullguard/0-policy.yaml" in args
    assert _kind(docs, "ConfigMap")["data"]["0-policy.yaml"] == POLICY
    # the root filesystem is read-only: the decision log goes to a writable volume
    log = args[args.index("--log") + 1]
    mounts = deployment["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert any(log.startswith(m["mountPath"] + "/") and not m.get("readOnly") for m in mounts)


def test_the_webhook_configurations_reach_the_service_and_skip_their_own_namespace(
    capsys: pytest.CaptureFixture[str],
) -> None:
    docs = _manifests(capsys, "--namespace", "guard", "--failure-policy", "Ignore")
    for kind, path in (
        ("ValidatingWebhookConfiguration", "/validate"),
        ("MutatingWebhookConfiguration", "/mutate"),
    ):
        (hook,) = _kind(docs, kind)["webhooks"]
        assert hook["clientConfig"]["service"] == {
            "name": "hullguard-admission",
            "namespace": "guard",
            "path": path,
            "port": 443,
        }
        assert hook["failurePolicy"] == "Ignore"
        assert hook["admissionReviewVersions"] == ["v1"] and hook["sideEffects"] == "None"
        assert hook["namespaceSelector"]["matchExpressions"][0]["values"] == ["guard", "kube-system"]
        assert "pods" in hook["rules"][0]["resources"] and "cronjobs" in hook["rules"][0]["resources"]
    assert _kind(docs, "Service")["spec"]["ports"][0]["targetPort"] == 8443


def test_the_self_signed_pair_verifies_and_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = _manifests(capsys, "--namespace", "guard")
    secret = _kind(docs, "Secret")["data"]
    ca_pem, cert_pem, key_pem = (base64.b64decode(secret[k]) for k in ("ca.crt", "tls.crt", "tls.key"))
    ca, cert = x509.load_pem_x509_certificate(ca_pem), x509.load_pem_x509_certificate(cert_pem)
    cert.verify_directly_issued_by(ca)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName
    )
    assert "hullguard-admission.guard.svc" in names
    bundle = _kind(docs, "ValidatingWebhookConfiguration")["webhooks"][0]["clientConfig"]["caBundle"]
    assert base64.b64decode(bundle) == ca_pem
    (tmp_path / "tls.crt").write_bytes(cert_pem)
    (tmp_path / "tls.key").write_bytes(key_pem)
    tls_context(tmp_path / "tls.crt", tmp_path / "tls.key")


def test_cert_manager_mode(capsys: pytest.CaptureFixture[str]) -> None:
    docs = _manifests(capsys, "--namespace", "guard", "--cert-manager")
    assert "Secret" not in [d["kind"] for d in docs]
    certificate = _kind(docs, "Certificate")
    assert certificate["spec"]["secretName"] == "hullguard-admission-tls"
    webhook = _kind(docs, "MutatingWebhookConfiguration")
    assert webhook["metadata"]["annotations"]["cert-manager.io/inject-ca-from"] == "guard/hullguard-admission"
    assert "caBundle" not in webhook["webhooks"][0]["clientConfig"]


def test_a_broken_policy_is_refused_before_any_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY.replace("<= 5", "<="))
    assert main(["admission", "manifests", "--policy", str(policy)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Syntax error" in captured.err
