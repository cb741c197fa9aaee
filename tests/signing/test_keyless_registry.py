"""Keyless verification from a real registry: a cosign-made Sigstore bundle attached as a referrer."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from hullguard.cli.main import main
from hullguard.model import Digest
from hullguard.registry import RegistryClient, fallback_tag, parse_reference
from tests.registry.conftest import LiveRegistry
from tests.support import servers

pytestmark = [pytest.mark.integration, pytest.mark.conformance]
BUNDLE = "conformance/sigstore/bundles/cosign/oci-attestation.sigstore.json"
BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
# go-containerregistry's empty.Image, byte for byte: the image cosign's test bundle attests.
EMPTY_CONFIG = b'{"architecture":"","created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"layers","diff_ids":null},"config":{}}'
EMPTY_IMAGE_DIGEST = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"
IDENTITY = (
    "--certificate-identity",
    "cody@soyland.com",
    "--certificate-oidc-issuer",
    "https://github.com/login/oauth",
)


def _descriptor(media_type: str, data: bytes, **extra: Any) -> dict[str, Any]:
    return {
        "mediaType": media_type,
        "size": len(data),
        "digest": "sha256:" + hashlib.sha256(data).hexdigest(),
        **extra,
    }


def _json(doc: Any) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


@pytest.fixture(scope="module")
def attested_empty_image(tls_registry: LiveRegistry, shared_dir: Path) -> str:
    """Push the empty image, then attach the bundle as cosign v3 does without a referrers API."""
    ref = parse_reference(f"{tls_registry.server.host}/signing/keyless:v1")
    repo = ref.repository
    with RegistryClient.for_reference(ref, tls_registry.options) as client:
        client.push_blob(repo, EMPTY_CONFIG)
        image = _json(
            {
                "schemaVersion": 2,
                "mediaType": DOCKER_MANIFEST,
                "config": _descriptor("application/vnd.docker.container.image.v1+json", EMPTY_CONFIG),
                "layers": [],
            }
        )
        assert client.put_manifest(repo, "v1", image, DOCKER_MANIFEST) == EMPTY_IMAGE_DIGEST
        bundle = (shared_dir / BUNDLE).read_bytes()
        client.push_blob(repo, bundle)
        client.push_blob(repo, b"{}")
        referring = _json(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "artifactType": BUNDLE_TYPE,
                "config": _descriptor("application/vnd.oci.empty.v1+json", b"{}"),
                "layers": [_descriptor(BUNDLE_TYPE, bundle)],
                "subject": _descriptor(DOCKER_MANIFEST, image),
            }
        )
        digest = client.put_manifest(
            repo, "sha256:" + hashlib.sha256(referring).hexdigest(), referring, OCI_MANIFEST
        )
        index = _json(
            {
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "manifests": [_descriptor(OCI_MANIFEST, referring, artifactType=BUNDLE_TYPE)],
            }
        )
        client.put_manifest(
            repo, fallback_tag(Digest(EMPTY_IMAGE_DIGEST)), index, "application/vnd.oci.image.index.v1+json"
        )
        assert digest.startswith("sha256:")
    return str(ref)


def _auth(registry: LiveRegistry) -> list[str]:
    return [
        "--ca-cert",
        str(registry.server.ca_cert),
        "--username",
        servers.USER,
        "--password",
        servers.PASSWORD,
    ]


def test_keyless_attestation_verifies_offline_from_the_registry(
    tls_registry: LiveRegistry, attested_empty_image: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["verify-attestation", attested_empty_image, *IDENTITY, *_auth(tls_registry)])
    out, err = capsys.readouterr()
    assert code == 0, err
    doc = json.loads(out)
    assert doc["digest"] == EMPTY_IMAGE_DIGEST
    (attestation,) = doc["attestations"]
    assert attestation["predicateType"] == "https://cosign.sigstore.dev/attestation/v1"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            (
                "--certificate-identity",
                "mallory@example.com",
                "--certificate-oidc-issuer",
                "https://github.com/login/oauth",
            ),
            "SANs do not match",
        ),
        (
            (
                "--certificate-identity",
                "cody@soyland.com",
                "--certificate-oidc-issuer",
                "https://accounts.google.com",
            ),
            "OIDCIssuer does not match",
        ),
        ((*IDENTITY, "--staging"), "bundle 1: Sigstore bundle rejected"),
        ((*IDENTITY, "--type", "cyclonedx"), "predicate type is https://cosign.sigstore.dev/attestation/v1"),
    ],
)
def test_keyless_attestation_refuses_the_wrong_identity_or_root(
    tls_registry: LiveRegistry,
    attested_empty_image: str,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    message: str,
) -> None:
    code = main(["verify-attestation", attested_empty_image, *argv, *_auth(tls_registry)])
    _, err = capsys.readouterr()
    assert code == 1 and message in err and "Traceback" not in err


def test_an_attestation_bundle_is_not_a_signature(
    tls_registry: LiveRegistry, attested_empty_image: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["verify", attested_empty_image, *IDENTITY, *_auth(tls_registry)])
    _, err = capsys.readouterr()
    assert code == 1 and "not https://sigstore.dev/cosign/sign/v1" in err


def test_image_require_signature_keyless_refuses_an_attestation_only_image(
    tls_registry: LiveRegistry, attested_empty_image: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "image",
            attested_empty_image,
            "--require-signature",
            *IDENTITY,
            "--scanners",
            "secret",
            "-q",
            *_auth(tls_registry),
        ]
    )
    _, err = capsys.readouterr()
    assert code == 2 and "no signature matches" in err and "not https://sigstore.dev/cosign/sign/v1" in err
