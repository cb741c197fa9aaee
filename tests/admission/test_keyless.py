"""Keyless `--require-signature`, admitting end to end: an image on a real docker-registry signed
as cosign v2 signs keyless, by a certificate from a Fulcio-like CA built at test time
(tests/signing/sigstore_ca.py), logged by a Rekor-like key, both named by a trusted root file."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hullguard.model import Digest
from hullguard.registry import RegistryClient, RegistryOptions, parse_reference
from hullguard.signing.layout import tag_for
from hullguard.signing.oci import push_layer
from hullguard.signing.remote import RemoteRepository
from tests.admission.conftest import Webhook, run_webhook
from tests.admission.test_images import _pod, _push_image, registry  # noqa: F401  (module fixture)
from tests.signing.sigstore_ca import FakeSigstore
from tests.support import servers

pytestmark = pytest.mark.integration
IDENTITY = "release-bot@example.com"
ISSUER = "https://issuer.hullguard.test"


@pytest.fixture(scope="module")
def keyless_images(
    registry: servers.RegistryServer,  # noqa: F811  (the fixture imported above)
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    sigstore, stranger = FakeSigstore(), FakeSigstore()
    folder = tmp_path_factory.mktemp("sigstore")
    (folder / "trusted_root.json").write_text(json.dumps(sigstore.trusted_root()))
    found: dict[str, Any] = {"root": folder / "trusted_root.json", "host": registry.host}
    for name, signer in (("signed", sigstore), ("foreign", stranger)):
        digest = _push_image(registry.host, f"keyless/{name}", "1.0", f"{name} layer".encode())
        ref = parse_reference(f"{registry.host}/keyless/{name}:1.0")
        layer = signer.signature_layer(f"{registry.host}/keyless/{name}", Digest(digest), IDENTITY, ISSUER)
        with RegistryClient.for_reference(ref, RegistryOptions(insecure=True)) as client:
            push_layer(RemoteRepository(client, ref), tag_for(Digest(digest), "sig"), layer)
        found[name] = digest
    return found


def _webhook(tmp: Path, root: Path, identity: str, issuer: str) -> Iterator[Webhook]:
    with run_webhook(tmp, "--require-signature", "--certificate-identity", identity,
                     "--certificate-oidc-issuer", issuer, "--trusted-root", str(root),
                     "--insecure-registry") as hook:  # fmt: skip
        yield hook


@pytest.fixture(scope="module")
def webhook(keyless_images: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Webhook]:
    yield from _webhook(tmp_path_factory.mktemp("keyless-webhook"), keyless_images["root"], IDENTITY, ISSUER)


def test_a_keyless_signed_image_is_admitted_and_pinned_to_its_digest(
    webhook: Webhook, keyless_images: dict[str, Any]
) -> None:
    pod = _pod(f"{keyless_images['host']}/keyless/signed:1.0")
    assert webhook.review(pod)["allowed"] is True
    response = webhook.review(pod, path="/mutate")
    assert response["allowed"] is True and response["patchType"] == "JSONPatch"
    assert json.loads(base64.b64decode(response["patch"])) == [
        {"op": "replace", "path": "/spec/containers/0/image",
         "value": f"{keyless_images['host']}/keyless/signed@{keyless_images['signed']}"}
    ]  # fmt: skip


def test_a_certificate_from_another_ca_is_refused(webhook: Webhook, keyless_images: dict[str, Any]) -> None:
    response = webhook.review(_pod(f"{keyless_images['host']}/keyless/foreign:1.0"), path="/mutate")
    assert response["allowed"] is False and "patch" not in response
    message = response["status"]["message"]
    assert "keyless/foreign:1.0" in message and "is not signed by the required identity" in message
    assert "Traceback" not in message
    assert "Rekor log" in message or "Fulcio CA" in message, message


@pytest.mark.parametrize(
    ("identity", "issuer", "reason"),
    [
        ("mallory@example.com", ISSUER, "SANs do not match mallory@example.com"),
        (IDENTITY, "https://accounts.google.com", "issuer"),
    ],
)
def test_a_wrong_identity_or_issuer_is_refused(
    keyless_images: dict[str, Any], tmp_path: Path, identity: str, issuer: str, reason: str
) -> None:
    for hook in _webhook(tmp_path, keyless_images["root"], identity, issuer):
        pod = _pod(f"{keyless_images['host']}/keyless/signed:1.0")
        for path in ("/validate", "/mutate"):
            response = hook.review(pod, path=path)
            assert response["allowed"] is False and "patch" not in response
            assert reason in response["status"]["message"], response["status"]["message"]
