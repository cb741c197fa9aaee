"""Kubernetes' own Pod Security fixtures (newest version) as AdmissionReviews to a running webhook over TLS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from hullguard.admission.review import make_review
from tests.admission.conftest import run_webhook

pytestmark = pytest.mark.conformance


@pytest.mark.parametrize("level", ["restricted", "baseline"])
def test_every_newest_fixture_gets_its_verdict_over_tls(level: str, shared_dir: Path, tmp_path: Path) -> None:
    root = shared_dir / "conformance" / "k8s-pod-security-admission"
    cases = json.loads((root / "expected.json").read_text())["cases"]
    newest = max(int(c["version"].split(".")[1]) for c in cases)
    chosen = [c for c in cases if c["level"] == level and c["version"] == f"v1.{newest}"]
    assert len(chosen) == {"restricted": 99, "baseline": 49}[level]
    wrong = []
    with run_webhook(tmp_path, "--pss", level) as hook, hook.client() as client:
        for n, case in enumerate(chosen):
            pod = yaml.safe_load((root / case["file"]).read_text())
            r = client.post("/validate", json=make_review(pod, uid=f"case-{n}", namespace="conformance"))
            response = r.json()["response"]
            assert response["uid"] == f"case-{n}"
            verdict = "allowed" if response["allowed"] else "denied"
            wanted = case["expect_error_substring"]
            if verdict != case["expected"]:
                wrong.append(f"{case['file']}: {verdict}: {response.get('status')}")
            elif verdict == "denied" and wanted and wanted not in response["status"]["message"]:
                wrong.append(f"{case['file']}: denied without {wanted!r}: {response['status']['message']}")
    assert wrong == []


def test_namespace_labels_override_the_default_level(tmp_path: Path) -> None:
    config = tmp_path / "webhook.yaml"
    config.write_text(yaml.safe_dump({
        "pss": {"level": "restricted"},
        "namespaces": [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "legacy", "labels": {
                "pod-security.kubernetes.io/enforce": "baseline",
                "pod-security.kubernetes.io/warn": "restricted",
                "pod-security.kubernetes.io/warn-version": "v1.30"}}},
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tools", "labels": {
                "pod-security.kubernetes.io/enforce": "privileged"}}},
        ],
    }))  # fmt: skip
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "busybox"}]}}  # fmt: skip
    privileged = json.loads(json.dumps(pod))
    privileged["spec"]["containers"][0]["securityContext"] = {"privileged": True}
    with run_webhook(tmp_path, "--config", str(config)) as hook:
        assert hook.review(pod, namespace="default")["allowed"] is False
        legacy = hook.review(pod, namespace="legacy")
        assert legacy["allowed"] is True
        assert any("restricted:v1.30/runAsNonRoot" in w for w in legacy["warnings"])
        denied = hook.review(privileged, namespace="legacy")
        assert denied["allowed"] is False and "baseline:v1.37/privileged" in denied["status"]["message"]
        assert hook.review(privileged, namespace="tools")["allowed"] is True


def test_pod_templates_of_workloads_are_judged_like_pods(tmp_path: Path) -> None:
    template = {"metadata": {"labels": {"app": "x"}}, "spec": {"hostNetwork": True,
                "containers": [{"name": "c", "image": "busybox"}]}}  # fmt: skip
    objects = [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": template}},
        {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
         "spec": {"jobTemplate": {"spec": {"template": template}}}},
    ]  # fmt: skip
    with run_webhook(tmp_path, "--pss", "baseline") as hook:
        for obj in objects:
            response = hook.review(obj, namespace="apps")
            assert response["allowed"] is False
            assert "baseline:v1.37/hostNamespaces" in response["status"]["message"]


def test_every_fixture_of_every_version_in_process(shared_dir: Path) -> None:
    """All 4,537 fixtures, each at its own level and policy version (`--pss-version v1.N`)."""
    from hullguard.admission.config import Settings, build_reviewer
    from hullguard.admission.review import parse_review
    from hullguard.rules.kubernetes import pss

    root = shared_dir / "conformance" / "k8s-pod-security-admission"
    cases = json.loads((root / "expected.json").read_text())["cases"]
    reviewers = {}
    wrong = []
    for case in cases:
        key = (case["level"], pss.parse_version(case["version"]))
        if key not in reviewers:
            reviewers[key] = build_reviewer(Settings(pss_level=key[0], pss_minor=key[1]))
        pod = yaml.safe_load((root / case["file"]).read_text())
        decision = reviewers[key].review(parse_review(json.dumps(make_review(pod, namespace="ns")).encode()))
        if ("allowed" if decision.allowed else "denied") != case["expected"]:
            wrong.append(f"{case['file']}: {decision.message or 'allowed'}")
    assert len(cases) == 4537
    assert wrong == []
