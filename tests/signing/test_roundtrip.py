"""sign, verify, attest, verify-attestation against a real docker-registry (TLS + htpasswd)."""

from __future__ import annotations

import base64
import hashlib
import json
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hullguard.cli.main import main
from hullguard.registry import RegistryClient, parse_reference
from tests.registry.conftest import LiveRegistry
from tests.support import servers
from tests.support.images import BuiltImage

pytestmark = pytest.mark.integration
Keys = tuple[tuple[Path, Path], tuple[Path, Path]]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def auth(registry: LiveRegistry) -> list[str]:
    return [
        "--ca-cert",
        str(registry.server.ca_cert),
        "--username",
        servers.USER,
        "--password",
        servers.PASSWORD,
    ]


def fresh_repo(registry: LiveRegistry, image: BuiltImage, name: str) -> str:
    """A repository of our own holding the demo image, so that tests cannot disturb each other."""
    return servers.push(registry.server, image.oci_ref, f"signing/{name}")


class Raw:
    """The registry seen through plain HTTP: nothing of hullguard's, to check what it wrote."""

    def __init__(self, registry: LiveRegistry) -> None:
        self.base = registry.server.url
        trust = ssl.create_default_context(cafile=str(registry.server.ca_cert))
        self.http = httpx.Client(verify=trust, auth=(servers.USER, servers.PASSWORD))

    def manifest(self, repo: str, ref: str) -> httpx.Response:
        accept = (
            "application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json"
        )
        return self.http.get(f"{self.base}/v2/{repo}/manifests/{ref}", headers={"Accept": accept})

    def blob(self, repo: str, digest: str) -> bytes:
        body = self.http.get(f"{self.base}/v2/{repo}/blobs/{digest}").content
        assert "sha256:" + hashlib.sha256(body).hexdigest() == digest
        return body


def _client(registry: LiveRegistry, ref: str) -> RegistryClient:
    return RegistryClient.for_reference(parse_reference(ref), registry.options)


def test_signature_verifies_independently_and_round_trips(
    tls_registry: LiveRegistry, demo_image: BuiltImage, key_pairs: Keys, capsys: pytest.CaptureFixture[str]
) -> None:
    (private, public), (other_private, other_public) = key_pairs
    ref = fresh_repo(tls_registry, demo_image, "roundtrip")
    repo = ref.split("/", 1)[1].rsplit(":", 1)[0]
    code, _, err = run(capsys, "sign", ref, "--key", str(private), "-a", "env=prod", *auth(tls_registry))
    assert code == 0, err

    # Independent check: plain HTTP, hand-parsed JSON, `cryptography` alone.
    raw = Raw(tls_registry)
    image = raw.manifest(repo, "latest")
    digest = "sha256:" + hashlib.sha256(image.content).hexdigest()
    sig_manifest = raw.manifest(repo, f"sha256-{digest[7:]}.sig").json()
    assert sig_manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert sig_manifest["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json"
    (layer,) = sig_manifest["layers"]
    assert layer["mediaType"] == "application/vnd.dev.cosign.simplesigning.v1+json"
    payload = raw.blob(repo, layer["digest"])
    signature = base64.b64decode(layer["annotations"]["dev.cosignproject.cosign/signature"])
    verifying_key = serialization.load_pem_public_key(public.read_bytes())
    assert isinstance(verifying_key, ec.EllipticCurvePublicKey)
    verifying_key.verify(signature, payload, ec.ECDSA(hashes.SHA256()))  # raises if invalid
    claims = json.loads(payload)
    assert claims["critical"]["image"]["docker-manifest-digest"] == digest
    assert claims["critical"]["type"] == "cosign container image signature"
    assert claims["critical"]["identity"]["docker-reference"] == f"{tls_registry.server.host}/{repo}"
    assert claims["optional"] == {"env": "prod"}

    code, out, _ = run(capsys, "verify", ref, "--key", str(public), "-a", "env=prod", *auth(tls_registry))
    assert code == 0 and out["verified"] and out["digest"] == digest
    assert out["signatures"][0]["optional"] == {"env": "prod"}

    code, out, err = run(capsys, "verify", ref, "--key", str(public), "-a", "env=dev", *auth(tls_registry))
    assert code == 1 and out["verified"] is False and "env=dev not in the signed payload" in err

    code, out, err = run(capsys, "verify", ref, "--key", str(other_public), *auth(tls_registry))
    assert code == 1 and "wrong key" in err

    # a second signer appends; both signatures stay valid
    assert run(capsys, "sign", ref, "--key", str(other_private), *auth(tls_registry))[0] == 0
    assert len(raw.manifest(repo, f"sha256-{digest[7:]}.sig").json()["layers"]) == 2
    for key in (public, other_public):
        assert run(capsys, "verify", ref, "--key", str(key), *auth(tls_registry))[0] == 0
    # ECDSA signatures are randomised: signing again is a new signature, appended like cosign does
    assert run(capsys, "sign", ref, "--key", str(other_private), *auth(tls_registry))[0] == 0
    assert len(raw.manifest(repo, f"sha256-{digest[7:]}.sig").json()["layers"]) == 3


def test_attest_and_verify_attestation(
    tls_registry: LiveRegistry,
    demo_image: BuiltImage,
    key_pairs: Keys,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (private, public), (_, other_public) = key_pairs
    ref = fresh_repo(tls_registry, demo_image, "attest")
    repo = ref.split("/", 1)[1].rsplit(":", 1)[0]
    sbom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [{"type": "library", "name": "zlib1g"}],
    }
    predicate = tmp_path / "sbom.json"
    predicate.write_text(json.dumps(sbom))
    code, _, err = run(
        capsys,
        "attest",
        ref,
        "--predicate",
        str(predicate),
        "--type",
        "cyclonedx",
        "--key",
        str(private),
        *auth(tls_registry),
    )
    assert code == 0, err

    raw = Raw(tls_registry)
    digest = "sha256:" + hashlib.sha256(raw.manifest(repo, "latest").content).hexdigest()
    (layer,) = raw.manifest(repo, f"sha256-{digest[7:]}.att").json()["layers"]
    assert layer["mediaType"] == "application/vnd.dsse.envelope.v1+json"
    assert layer["annotations"]["predicateType"] == "https://cyclonedx.org/bom"
    envelope = json.loads(raw.blob(repo, layer["digest"]))
    statement = base64.b64decode(envelope["payload"])
    pae = b"DSSEv1 %d %s %d %s" % (
        len(envelope["payloadType"]),
        envelope["payloadType"].encode(),
        len(statement),
        statement,
    )
    verifying_key = serialization.load_pem_public_key(public.read_bytes())
    assert isinstance(verifying_key, ec.EllipticCurvePublicKey)
    verifying_key.verify(base64.b64decode(envelope["signatures"][0]["sig"]), pae, ec.ECDSA(hashes.SHA256()))
    doc = json.loads(statement)
    assert doc["_type"] == "https://in-toto.io/Statement/v1"
    assert doc["subject"][0]["digest"] == {"sha256": digest[7:]}

    code, out, err = run(
        capsys, "verify-attestation", ref, "--key", str(public), "--type", "cyclonedx", *auth(tls_registry)
    )
    assert code == 0, err
    assert out["attestations"][0]["predicate"] == sbom
    code, _, err = run(
        capsys, "verify-attestation", ref, "--key", str(public), "--type", "spdxjson", *auth(tls_registry)
    )
    assert code == 1 and "predicate type is https://cyclonedx.org/bom" in err
    code, _, err = run(capsys, "verify-attestation", ref, "--key", str(other_public), *auth(tls_registry))
    assert code == 1 and "wrong key" in err

    # --type custom wraps any text as cosign does: {"Data": ..., "Timestamp": ...}
    note = tmp_path / "note.txt"
    note.write_text("reviewed by alice\n")
    assert (
        run(
            capsys,
            "attest",
            ref,
            "--predicate",
            str(note),
            "--type",
            "custom",
            "--key",
            str(private),
            *auth(tls_registry),
        )[0]
        == 0
    )
    code, out, err = run(
        capsys, "verify-attestation", ref, "--key", str(public), "--type", "custom", *auth(tls_registry)
    )
    assert code == 0, err
    (custom,) = out["attestations"]
    assert custom["predicateType"] == "https://cosign.sigstore.dev/attestation/v1"
    assert custom["predicate"]["Data"] == "reviewed by alice\n" and custom["predicate"]["Timestamp"].endswith(
        "Z"
    )


def _retag_signature(registry: LiveRegistry, ref: str, edit: Any) -> None:
    """Rewrite the `.sig` manifest of `ref` through `edit(manifest, client, repository)`."""
    parsed = parse_reference(ref)
    with _client(registry, ref) as client:
        digest = client.resolve(parsed)
        tag = f"sha256-{digest[7:]}.sig"
        manifest = json.loads(client.get_manifest(parsed.with_tag(tag)).raw)
        edit(manifest, client, parsed.repository)
        client.put_manifest(parsed.repository, tag, json.dumps(manifest).encode(), manifest["mediaType"])


def test_tampering_and_wrong_keys_fail_with_clear_messages(
    tls_registry: LiveRegistry, demo_image: BuiltImage, key_pairs: Keys, capsys: pytest.CaptureFixture[str]
) -> None:
    (private, public), _ = key_pairs

    def signed(name: str) -> str:
        ref = fresh_repo(tls_registry, demo_image, name)
        assert run(capsys, "sign", ref, "--key", str(private), *auth(tls_registry))[0] == 0
        assert run(capsys, "verify", ref, "--key", str(public), *auth(tls_registry))[0] == 0
        return ref

    # a tampered payload: new bytes (so a new, consistent blob digest) under the old signature
    ref = signed("tampered-payload")

    def new_payload(manifest: dict[str, Any], client: RegistryClient, repo: str) -> None:
        layer = manifest["layers"][0]
        payload = client.read_blob(repo, layer["digest"]).replace(b'"optional":null', b'"optional":{"x":"y"}')
        layer["digest"], layer["size"] = client.push_blob(repo, payload), len(payload)

    _retag_signature(tls_registry, ref, new_payload)
    code, out, err = run(capsys, "verify", ref, "--key", str(public), *auth(tls_registry))
    assert code == 1 and out["verified"] is False
    assert "signature does not match the payload" in err and "Traceback" not in err

    # a tampered signature: valid base64, wrong bytes
    ref = signed("tampered-signature")

    def new_signature(manifest: dict[str, Any], client: RegistryClient, repo: str) -> None:
        sig = bytearray(
            base64.b64decode(manifest["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"])
        )
        sig[-1] ^= 1
        manifest["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"] = base64.b64encode(
            sig
        ).decode()

    _retag_signature(tls_registry, ref, new_signature)
    code, _, err = run(capsys, "verify", ref, "--key", str(public), *auth(tls_registry))
    assert code == 1 and "signature does not match the payload" in err

    # a tampered image: the tag now names other content, and the old signature was copied to it
    ref = signed("tampered-image")
    parsed = parse_reference(ref)
    with _client(tls_registry, ref) as client:
        old = client.get_manifest(parsed)
        sig_tag = f"sha256-{old.digest[7:]}.sig"
        signature = client.get_manifest(parsed.with_tag(sig_tag))
        changed = json.loads(old.raw)
        changed["annotations"] = {"org.opencontainers.image.description": "not what was signed"}
        new_digest = client.put_manifest(
            parsed.repository, "latest", json.dumps(changed).encode(), old.media_type
        )
        client.put_manifest(
            parsed.repository, f"sha256-{new_digest[7:]}.sig", signature.raw, signature.media_type
        )
    code, _, err = run(capsys, "verify", ref, "--key", str(public), *auth(tls_registry))
    assert code == 1 and f"the signed payload names {old.digest}, but the image is {new_digest}" in err

    # unsigned: nothing to verify
    ref = fresh_repo(tls_registry, demo_image, "unsigned")
    code, _, err = run(capsys, "verify", ref, "--key", str(public), *auth(tls_registry))
    assert code == 1 and "no signatures found" in err


def test_image_require_signature(
    tls_registry: LiveRegistry, demo_image: BuiltImage, key_pairs: Keys, capsys: pytest.CaptureFixture[str]
) -> None:
    (private, public), (_, other_public) = key_pairs
    ref = fresh_repo(tls_registry, demo_image, "policy")
    scan = (
        "image",
        ref,
        "--require-signature",
        "--key",
        str(public),
        "--scanners",
        "secret",
        "--format",
        "json",
        "-q",
    )
    code, _, err = run(capsys, *scan, *auth(tls_registry))
    assert code == 2 and "no signatures found" in err and "Traceback" not in err
    assert run(capsys, "sign", ref, "--key", str(private), "-q", *auth(tls_registry)) == (0, None, "")
    code, report, err = run(capsys, *scan, *auth(tls_registry))
    assert code == 0, err
    assert err == ""  # -q: not even "Signature verified for …"
    assert report["artifact"]["digest"].startswith("sha256:")
    code, _, err = run(capsys, *scan[:4], str(other_public), *scan[5:], *auth(tls_registry))
    assert code == 2 and "wrong key" in err


def test_image_attaches_its_report_as_an_attestation(
    tls_registry: LiveRegistry, demo_image: BuiltImage, key_pairs: Keys, capsys: pytest.CaptureFixture[str]
) -> None:
    (private, public), _ = key_pairs
    ref = fresh_repo(tls_registry, demo_image, "report")
    scan = ("image", ref, "--attest-key", str(private), "--scanners", "secret", "--format", "json", "-q")
    code, report, err = run(capsys, *scan, *auth(tls_registry))
    assert code == 0, err
    code, out, err = run(
        capsys, "verify-attestation", ref, "--key", str(public), "--type", "vuln", *auth(tls_registry)
    )
    assert code == 0, err
    (attestation,) = out["attestations"]
    predicate = attestation["predicate"]
    assert predicate["scanner"]["uri"].startswith("pkg:pypi/hullguard@")
    assert (
        predicate["scanner"]["result"]["artifact"]["digest"] == out["digest"] == report["artifact"]["digest"]
    )
    assert predicate["metadata"]["scanStartedOn"] <= predicate["metadata"]["scanFinishedOn"]


def test_image_attaches_its_sbom_as_a_cyclonedx_attestation(
    tls_registry: LiveRegistry, demo_image: BuiltImage, key_pairs: Keys, capsys: pytest.CaptureFixture[str]
) -> None:
    (private, public), _ = key_pairs
    ref = fresh_repo(tls_registry, demo_image, "sbom")
    scan = ("image", ref, "--attest-key", str(private), "--scanners", "secret", "--format", "cyclonedx", "-q")
    code, sbom, err = run(capsys, *scan, *auth(tls_registry))
    assert code == 0, err
    code, out, err = run(
        capsys, "verify-attestation", ref, "--key", str(public), "--type", "cyclonedx", *auth(tls_registry)
    )
    assert code == 0, err
    (attestation,) = out["attestations"]
    assert attestation["predicateType"] == "https://cyclonedx.org/bom"
    assert attestation["predicate"] == sbom and sbom["bomFormat"] == "CycloneDX" and sbom["components"]


def test_plain_http_registry_on_loopback_needs_no_insecure(
    plain_registry: LiveRegistry, demo_image: BuiltImage, key_pairs: Keys, capsys: pytest.CaptureFixture[str]
) -> None:
    """Docker allows plain HTTP to a registry on this machine; so do we (elsewhere: --insecure)."""
    (private, public), _ = key_pairs
    ref = servers.push(plain_registry.server, demo_image.oci_ref, "signing/plain")
    assert run(capsys, "sign", ref, "--key", str(private))[0] == 0
    code, out, err = run(capsys, "verify", ref, "--key", str(public))
    assert code == 0 and out["verified"], err
    code, out, err = run(capsys, "verify", ref, "--key", str(public), "--insecure")
    assert code == 0 and out["verified"], err
