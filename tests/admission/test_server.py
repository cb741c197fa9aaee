"""The webhook over real TLS: answers, bad input, metrics, TLS versions, certificate reload."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hullguard.admission.review import make_review
from tests.admission.conftest import Webhook, run_webhook
from tests.support.servers import make_certificate

BARE_POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}  # fmt: skip


@pytest.fixture(scope="module")
def webhook(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Webhook]:
    tmp = tmp_path_factory.mktemp("webhook")
    with run_webhook(tmp, "--pss", "restricted", "--log", str(tmp / "decisions.jsonl")) as hook:
        yield hook


def test_a_violating_pod_is_denied_naming_every_check(webhook: Webhook) -> None:
    response = webhook.review(BARE_POD, uid="u-1")
    assert response["uid"] == "u-1"
    assert response["allowed"] is False
    message = response["status"]["message"]
    assert message.startswith("hullguard denied Pod shop/web: ")
    for check in ("allowPrivilegeEscalation", "capabilities_restricted", "runAsNonRoot", "seccompProfile"):
        assert f"restricted:v1.37/{check}" in message


@pytest.mark.parametrize(
    ("body", "content_type", "status", "said"),
    [
        (b"{not json", "application/json", 400, "not JSON"),
        (b"[]", "application/json", 400, "must be an object"),
        (json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {}}).encode(),
         "application/json", 400, "uid is missing"),
        (b"{}", "text/plain", 415, "content type"),
    ],
)  # fmt: skip
def test_unusable_bodies_get_a_4xx_saying_why(
    webhook: Webhook, body: bytes, content_type: str, status: int, said: str
) -> None:
    with webhook.client() as c:
        r = c.post("/validate", content=body, headers={"content-type": content_type})
    assert r.status_code == status
    assert said in r.json()["error"]
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"apiVersion": "admission.k8s.io/v1beta1"}, "expected apiVersion admission.k8s.io/v1"),
        ({"kind": "Review"}, "kind AdmissionReview"),
        ({"extra": 1}, "unknown field(s) in AdmissionReview: extra"),
    ],
)
def test_a_wrong_review_with_a_uid_is_answered_and_refused(
    webhook: Webhook, change: dict[str, object], said: str
) -> None:
    review = {**make_review(BARE_POD, uid="u-2"), **change}
    with webhook.client() as c:
        r = c.post("/validate", json=review)
    assert r.status_code == 200
    response = r.json()["response"]
    assert response["uid"] == "u-2"
    assert response["allowed"] is False
    assert said in response["status"]["message"]


def test_unknown_request_fields_and_bad_operations_are_refused(webhook: Webhook) -> None:
    review = make_review(BARE_POD, uid="u-3")
    review["request"]["surprise"] = True
    with webhook.client() as c:
        assert "surprise" in c.post("/validate", json=review).json()["response"]["status"]["message"]
        review = make_review(BARE_POD, uid="u-4", operation="PATCH")
        assert (
            "request.operation 'PATCH'"
            in c.post("/validate", json=review).json()["response"]["status"]["message"]
        )


def test_a_too_big_body_is_refused_and_the_server_keeps_serving(webhook: Webhook) -> None:
    pod = json.loads(json.dumps(BARE_POD))
    pod["metadata"]["annotations"] = {"blob": "x" * (4 << 20)}
    with webhook.client() as c:
        r = c.post("/validate", json=make_review(pod))
        assert r.status_code == 400
        assert "exceeds the" in r.json()["error"]
        assert c.get("/healthz").text == "ok\n"
    assert webhook.review(BARE_POD)["allowed"] is False


def test_metrics_count_verdicts_policies_and_latency(webhook: Webhook) -> None:
    webhook.review(BARE_POD)
    with webhook.client() as c:
        text = c.get("/metrics").text
    assert 'hullguard_admission_reviews_total{endpoint="validate",verdict="deny"}' in text
    assert 'hullguard_admission_violations_total{action="Deny",policy="pss"}' in text
    assert 'hullguard_admission_review_seconds_bucket{endpoint="validate",le="0.005"}' in text


def _handshake(webhook: Webhook, version: ssl.TLSVersion) -> str | None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(webhook.ca)
    context.set_ciphers("ALL:@SECLEVEL=0")
    context.minimum_version = context.maximum_version = version
    host, port = webhook.url.removeprefix("https://").split(":")
    with (
        socket.create_connection((host, int(port))) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        return tls.version()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_tls_below_1_2_is_refused(webhook: Webhook) -> None:
    assert _handshake(webhook, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
    assert _handshake(webhook, ssl.TLSVersion.TLSv1_3) == "TLSv1.3"
    for old in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
        with pytest.raises(ssl.SSLError):
            _handshake(webhook, old)


def _served_certificate(url: str) -> bytes:
    host, port = url.removeprefix("https://").split(":")
    pem = ssl.get_server_certificate((host, int(port)))
    return ssl.PEM_cert_to_DER_cert(pem)


def test_a_renewed_certificate_is_served_without_restart(tmp_path: Path) -> None:
    with run_webhook(tmp_path, "--pss", "baseline") as hook:
        before = _served_certificate(hook.url)
        new_cert, new_key = make_certificate(tmp_path / "renewed", cn="renewed")
        shutil.copy(new_key, hook.key)
        shutil.copy(new_cert, hook.cert)
        deadline = time.monotonic() + 15
        while _served_certificate(hook.url) == before:
            assert time.monotonic() < deadline, "the new certificate was not picked up"
            time.sleep(0.3)
        assert _served_certificate(hook.url) == ssl.PEM_cert_to_DER_cert(new_cert.read_text())
        with httpx.Client(base_url=hook.url, verify=ssl.create_default_context(cafile=new_cert)) as c:
            assert c.get("/healthz").status_code == 200


def test_a_pod_with_unknown_fields_is_refused_saying_which(webhook: Webhook) -> None:
    pod = json.loads(json.dumps(BARE_POD))
    pod["spec"]["containers"][0]["securityContext"] = {"runAsNonroot": True}
    pod["spec"]["hostNetworking"] = True
    response = webhook.review(pod)
    assert response["allowed"] is False
    assert response["status"]["code"] == 400
    message = response["status"]["message"]
    assert "spec.containers[0].securityContext.runAsNonroot (did you mean runAsNonRoot?)" in message
    assert "spec.hostNetworking (did you mean hostNetwork?)" in message
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                  "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x", "imagePullPolicy": "Always",
                                                                 "securityContxt": {}}]}}}}  # fmt: skip
    assert (
        "spec.template.spec.containers[0].securityContxt" in webhook.review(deployment)["status"]["message"]
    )
