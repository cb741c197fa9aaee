"""The registry client against a real docker-registry: manifests, blobs, uploads, tags, referrers, errors."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from hullguard.errors import DigestMismatch
from hullguard.model import Digest
from hullguard.oci.manifest import OCI_INDEX, OCI_MANIFEST, Index, Manifest
from hullguard.registry import (
    NotFound,
    RegistryClient,
    RegistryError,
    RegistryOptions,
    Unauthorized,
    fallback_tag,
    parse_reference,
)
from tests.conftest import require
from tests.registry.conftest import LiveRegistry
from tests.support import servers
from tests.support.images import BuiltImage

pytestmark = pytest.mark.integration


def _layout_manifest_digest(image: BuiltImage) -> str:
    index = json.loads((image.oci_dir / "index.json").read_text())
    return str(index["manifests"][0]["digest"])


@pytest.fixture(params=["plain", "tls"])
def live(request: pytest.FixtureRequest) -> LiveRegistry:
    return request.getfixturevalue(f"{request.param}_registry")  # type: ignore[no-any-return]


def test_manifest_is_served_byte_for_byte_and_verified(live: LiveRegistry, demo_image: BuiltImage) -> None:
    ref = parse_reference(live.demo_ref)
    with RegistryClient.for_reference(ref, live.options) as client:
        fetched = client.get_manifest(ref)
        assert fetched.digest == _layout_manifest_digest(demo_image)
        assert fetched.media_type == OCI_MANIFEST
        assert isinstance(fetched.parsed, Manifest)
        assert len(fetched.parsed.layers) == 4
        assert fetched.reference.digest == fetched.digest
        head = client.head_manifest(ref)
        assert head is not None and head.digest == fetched.digest and head.size == len(fetched.raw)
        assert client.resolve(ref) == fetched.digest
        assert client.head_manifest(ref.with_tag("no-such-tag")) is None
        # The config blob equals the layout's copy, and every layer streams to a verified end.
        config = client.read_blob(ref.repository, fetched.parsed.config.digest)
        algo, _, hexdigest = fetched.parsed.config.digest.partition(":")
        assert config == (demo_image.oci_dir / "blobs" / algo / hexdigest).read_bytes()
        layer = fetched.parsed.layers[-1]
        with client.open_blob(ref.repository, layer.digest) as stream:
            assert hashlib.sha256(stream.read()).hexdigest() == layer.digest.split(":")[1]


def test_push_monolithic_and_chunked_then_list(plain_registry: LiveRegistry) -> None:
    repo = "uploads/blobs"
    payload = bytes(range(256)) * 11  # 2816 bytes: three chunks of 1000 and a tail
    with RegistryClient(plain_registry.server.host, plain_registry.options) as client:
        mono = client.push_blob(repo, b"monolithic blob")
        assert mono == "sha256:" + hashlib.sha256(b"monolithic blob").hexdigest()
        chunked = client.push_blob(repo, payload, chunk_size=1000)
        streamed = client.push_blob(repo + "2", io.BytesIO(payload), chunk_size=1024)
        assert chunked == streamed == "sha256:" + hashlib.sha256(payload).hexdigest()
        assert client.read_blob(repo, chunked) == payload
        assert client.read_blob(repo + "2", streamed) == payload
        assert client.blob_exists(repo, mono)
        assert not client.blob_exists(repo, Digest("sha256:" + "0" * 64))
        config = client.push_blob(repo, b"{}")
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": config, "size": 2},
                "layers": [{"mediaType": "application/octet-stream", "digest": mono, "size": 15}],
            }
        ).encode()
        for tag in ("v1", "v2", "v3"):
            digest = client.put_manifest(repo, tag, manifest, OCI_MANIFEST)
        assert digest == "sha256:" + hashlib.sha256(manifest).hexdigest()
        assert sorted(client.list_tags(repo)) == ["v1", "v2", "v3"]
        assert client.list_tags(repo, page_size=1) == client.list_tags(repo)  # pagination via Link
        catalog = client.catalog(page_size=2)
        assert {"demo/bookworm", repo, repo + "2"} <= set(catalog)


def test_mount_links_a_blob_from_another_repository(plain_registry: LiveRegistry) -> None:
    with RegistryClient(plain_registry.server.host, plain_registry.options) as client:
        digest = client.push_blob("mount/source", b"shared layer bytes")
        assert not client.blob_exists("mount/target", digest)
        assert client.mount_blob("mount/target", digest, "mount/source")
        assert client.read_blob("mount/target", digest) == b"shared layer bytes"
        # Nothing to mount from: the registry opens an upload session, which is cancelled.
        absent = Digest("sha256:" + "1" * 64)
        assert not client.mount_blob("mount/target", absent, "mount/source")


def test_cancelled_upload_is_gone(plain_registry: LiveRegistry) -> None:
    with RegistryClient(plain_registry.server.host, plain_registry.options) as client:
        location = client.start_upload("uploads/cancel")
        client.cancel_upload("uploads/cancel", location)
        with pytest.raises(NotFound):
            client.cancel_upload("uploads/cancel", location)


def test_referrers_fall_back_to_the_digest_tag(plain_registry: LiveRegistry) -> None:
    ref = parse_reference(plain_registry.demo_ref)
    with RegistryClient.for_reference(ref, plain_registry.options) as client:
        subject = client.get_manifest(ref)
        assert client.referrers(ref.repository, subject.digest) == []
        empty = client.push_blob(ref.repository, b"{}")
        sbom = client.push_blob(ref.repository, b'{"bomFormat": "CycloneDX"}')
        artifact = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "artifactType": "application/vnd.cyclonedx+json",
                "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty, "size": 2},
                "layers": [{"mediaType": "application/vnd.cyclonedx+json", "digest": sbom, "size": 26}],
                "subject": {"mediaType": OCI_MANIFEST, "digest": subject.digest, "size": len(subject.raw)},
            }
        ).encode()
        artifact_digest = client.put_manifest(ref.repository, "sbom", artifact, OCI_MANIFEST)
        index = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": OCI_INDEX,
                "manifests": [
                    {
                        "mediaType": OCI_MANIFEST,
                        "digest": artifact_digest,
                        "size": len(artifact),
                        "artifactType": "application/vnd.cyclonedx+json",
                        "annotations": {"org.opencontainers.image.created": "2026-01-01T00:00:00Z"},
                    }
                ],
            }
        ).encode()
        client.put_manifest(ref.repository, fallback_tag(subject.digest), index, OCI_INDEX)
        found = client.referrers(ref.repository, subject.digest)
        assert [r.digest for r in found] == [artifact_digest]
        assert found[0].artifact_type == "application/vnd.cyclonedx+json"
        assert client.referrers(ref.repository, subject.digest, "application/spdx+json") == []
        fetched = client.get_manifest(ref.with_tag(fallback_tag(subject.digest)))
        assert isinstance(fetched.parsed, Index)


def test_corrupted_blob_on_the_server_is_refused(plain_registry: LiveRegistry) -> None:
    data = b"blob that will be corrupted on disk"
    with RegistryClient(plain_registry.server.host, plain_registry.options) as client:
        digest = client.push_blob("corrupt/me", data)
        hexdigest = digest.split(":")[1]
        stored = (
            plain_registry.server.root
            / "data/docker/registry/v2/blobs/sha256"
            / hexdigest[:2]
            / hexdigest
            / "data"
        )
        stored.write_bytes(data.replace(b"corrupted", b"CORRUPTED"))
        with pytest.raises(DigestMismatch, match="digest mismatch"):
            client.read_blob("corrupt/me", digest)
        # A blob longer than its descriptor says is cut off at the declared size.
        with client.open_blob("corrupt/me", digest, size=5) as stream, pytest.raises(RegistryError) as caught:
            stream.read()
        assert "more than the 5 bytes the manifest declares" in str(caught.value)


def test_wrong_password_is_a_clear_401(tls_registry: LiveRegistry) -> None:
    options = RegistryOptions(ca_cert=tls_registry.server.ca_cert, username=servers.USER, password="wrong")
    ref = parse_reference(tls_registry.demo_ref)
    with RegistryClient.for_reference(ref, options) as client, pytest.raises(Unauthorized) as caught:
        client.get_manifest(ref)
    assert caught.value.status == 401
    assert "rejected the credentials from command line (HTTP 401)" in str(caught.value)
    assert "wrong" not in caught.value.diagnostics()


def test_no_credentials_is_a_clear_401(tls_registry: LiveRegistry, tmp_path: Path) -> None:
    options = RegistryOptions(ca_cert=tls_registry.server.ca_cert, docker_config=tmp_path / "none.json")
    ref = parse_reference(tls_registry.demo_ref)
    with RegistryClient.for_reference(ref, options) as client, pytest.raises(Unauthorized) as caught:
        client.get_manifest(ref)
    assert "requires a user name and password" in str(caught.value)
    assert "--username" in caught.value.diagnostics()


def test_missing_repository_is_404(live: LiveRegistry) -> None:
    ref = parse_reference(f"{live.server.host}/no/such/repo:1")
    with RegistryClient.for_reference(ref, live.options) as client, pytest.raises(NotFound) as caught:
        client.get_manifest(ref)
    assert caught.value.status == 404
    assert "not found" in str(caught.value) and "no/such/repo:1" in str(caught.value)


def test_untrusted_certificate_names_the_fix(tls_registry: LiveRegistry) -> None:
    ref = parse_reference(tls_registry.demo_ref)
    options = RegistryOptions(username=servers.USER, password=servers.PASSWORD)
    with RegistryClient.for_reference(ref, options) as client, pytest.raises(RegistryError) as caught:
        client.get_manifest(ref)
    assert "TLS certificate" in str(caught.value) and "not trusted" in str(caught.value)
    assert "--ca-cert" in caught.value.diagnostics()


def test_plain_http_registry_needs_insecure(plain_registry: LiveRegistry) -> None:
    """Off this machine plain HTTP needs --insecure; `plain_http_on_loopback=False` makes the
    loopback registry behave as a remote one would (no other address can serve it here)."""
    ref = parse_reference(plain_registry.demo_ref)
    with (
        RegistryClient.for_reference(ref, RegistryOptions(plain_http_on_loopback=False)) as client,
        pytest.raises(RegistryError) as caught,
    ):
        client.get_manifest(ref)
    assert "does not speak TLS" in str(caught.value)
    assert "--insecure" in caught.value.diagnostics()


def test_plain_http_registry_on_loopback_works_without_insecure(plain_registry: LiveRegistry) -> None:
    """As Docker allows for 127.0.0.0/8: nothing crosses a network."""
    ref = parse_reference(plain_registry.demo_ref)
    with RegistryClient.for_reference(ref, RegistryOptions()) as client:
        assert client.get_manifest(ref).digest.startswith("sha256:")
        assert client.transport.scheme == "http"


def test_insecure_skips_verification_on_tls(tls_registry: LiveRegistry) -> None:
    ref = parse_reference(tls_registry.demo_ref)
    options = RegistryOptions(insecure=True, username=servers.USER, password=servers.PASSWORD)
    with RegistryClient.for_reference(ref, options) as client:
        assert client.transport.scheme == "https"
        assert client.get_manifest(ref).digest


def test_bad_ca_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(RegistryError, match="--ca-cert: cannot load certificate"):
        RegistryClient("127.0.0.1:1", RegistryOptions(ca_cert=bad))


def test_client_certificates(tmp_path: Path) -> None:
    require(not servers.missing_registry_tools(), "registry test tools missing (run scripts/setup)")
    client_ca, cert, key = servers.make_client_certificate(tmp_path / "client")
    _, other_cert, other_key = servers.make_client_certificate(tmp_path / "other")
    with servers.run_registry(tls=True, client_ca=client_ca) as server:
        good = RegistryOptions(ca_cert=server.ca_cert, client_cert=cert, client_key=key)
        with RegistryClient(server.host, good) as client:
            assert client.catalog() == []
        for options, said in (
            (RegistryOptions(ca_cert=server.ca_cert), "it wants a client certificate"),
            (
                RegistryOptions(ca_cert=server.ca_cert, client_cert=other_cert, client_key=other_key),
                "its client certificate was refused",
            ),
        ):
            with RegistryClient(server.host, options) as client, pytest.raises(RegistryError) as caught:
                client.catalog()
            assert said in str(caught.value)
            assert "--client-cert" in caught.value.diagnostics()
