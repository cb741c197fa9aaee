"""Artifacts made by cosign v3.0.4 itself, pushed byte for byte to a real registry, verified by the CLI.

The files come from `image-signatures/tobby-fetch-GPL/` (GPL-3.0-only): read in place, never copied.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.registry import RegistryClient, parse_reference
from hullguard.signing.layout import Layer, build_artifact
from tests.registry.conftest import LiveRegistry
from tests.support import servers

pytestmark = [pytest.mark.integration, pytest.mark.conformance]
CAPTURE = "conformance/sigstore/image-signatures/tobby-fetch-GPL"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def _auth(registry: LiveRegistry) -> list[str]:
    return [
        "--ca-cert",
        str(registry.server.ca_cert),
        "--username",
        servers.USER,
        "--password",
        servers.PASSWORD,
    ]


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _verify(
    registry: LiveRegistry, ref: str, key: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    code = main(["verify", ref, "--key", str(key), *_auth(registry)])
    out, err = capsys.readouterr()
    return code, out, err


def test_cosign_classic_signature_from_the_registry(
    tls_registry: LiveRegistry, shared_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = shared_dir / CAPTURE / "classic"
    manifest = (folder / "sig-manifest.json").read_bytes()
    payload = (folder / "payload.json").read_bytes()
    signed = json.loads(payload)["critical"]["image"]["docker-manifest-digest"]
    doc = json.loads(manifest)
    # cosign's config blob is not in the capture; ours is the same bytes (same digest)
    config = build_artifact(
        (
            Layer(
                media_type=doc["layers"][0]["mediaType"],
                blob=payload,
                annotations=tuple(doc["layers"][0]["annotations"].items()),
            ),
        )
    ).config
    assert _sha256(config) == doc["config"]["digest"]
    ref = parse_reference(f"{tls_registry.server.host}/signing/cosign-classic")
    with RegistryClient.for_reference(ref, tls_registry.options) as client:
        client.push_blob(ref.repository, payload)
        client.push_blob(ref.repository, config)
        client.put_manifest(ref.repository, f"sha256-{signed[7:]}.sig", manifest, OCI_MANIFEST)
    pinned = f"{ref.registry}/{ref.repository}@{signed}"
    code, out, err = _verify(tls_registry, pinned, folder / "cosign.pub", capsys)
    assert code == 0, err
    assert (
        json.loads(out)["signatures"][0]["critical"]["identity"]["docker-reference"]
        == "localhost:15381/tobby/fixture"
    )
    code, _, err = _verify(
        tls_registry, pinned, shared_dir / CAPTURE / "bundle-referrer/bundle-cosign.pub", capsys
    )
    assert code == 1 and "wrong key" in err


def test_cosign_v3_bundle_referrer_from_the_registry(
    tls_registry: LiveRegistry, shared_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = shared_dir / CAPTURE / "bundle-referrer"
    referring = (folder / "bundle-referring-manifest.json").read_bytes()
    index = (folder / "bundle-referrers-index.json").read_bytes()
    subject = json.loads(referring)["subject"]["digest"]
    ref = parse_reference(f"{tls_registry.server.host}/signing/cosign-v3")
    with RegistryClient.for_reference(ref, tls_registry.options) as client:
        client.push_blob(ref.repository, (folder / "bundle-sigstore.json").read_bytes())
        client.push_blob(ref.repository, b"{}")
        client.put_manifest(ref.repository, _sha256(referring), referring, OCI_MANIFEST)
        client.put_manifest(ref.repository, f"sha256-{subject[7:]}", index, OCI_INDEX)
    pinned = f"{ref.registry}/{ref.repository}@{subject}"
    code, out, err = _verify(tls_registry, pinned, folder / "bundle-cosign.pub", capsys)
    assert code == 0, err
    (bundle,) = json.loads(out)["bundles"]
    assert bundle["predicateType"] == "https://sigstore.dev/cosign/sign/v1"
    code, _, err = _verify(tls_registry, pinned, shared_dir / CAPTURE / "classic/cosign.pub", capsys)
    assert code == 1 and "does not match" in err
