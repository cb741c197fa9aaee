"""`hullguard image HOST/REPO:TAG`: the same inventory as the docker-archive, from a real registry."""

from __future__ import annotations

import json

import pytest

from hullguard.cli.main import main
from hullguard.errors import SourceError
from hullguard.oci.manifest import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
    Manifest,
    Platform,
)
from hullguard.pipeline import ImageTarget, ScanOptions, scan
from hullguard.registry import RegistryClient, RegistryOptions, parse_reference
from hullguard.sources import SourceOptions
from tests.registry.conftest import LiveRegistry
from tests.support import servers
from tests.support.images import BuiltImage

pytestmark = pytest.mark.integration


def _source(live: LiveRegistry, **overrides: object) -> SourceOptions:
    o = live.options
    fields = dict(insecure=o.insecure, ca_cert=o.ca_cert, username=o.username, password=o.password)
    fields.update(overrides)
    return SourceOptions(**fields)  # type: ignore[arg-type]


@pytest.fixture(params=["plain", "tls"])
def live(request: pytest.FixtureRequest) -> LiveRegistry:
    return request.getfixturevalue(f"{request.param}_registry")  # type: ignore[no-any-return]


def test_registry_scan_equals_archive_scan(live: LiveRegistry, demo_image: BuiltImage) -> None:
    archive = scan(ImageTarget(ref=str(demo_image.archive)), ScanOptions(scanners=frozenset()))
    remote = scan(ImageTarget(ref=live.demo_ref), ScanOptions(scanners=frozenset(), source=_source(live)))
    assert remote.packages == archive.packages
    assert remote.artifact.layers == archive.artifact.layers
    assert remote.artifact.os == archive.artifact.os
    assert remote.artifact.name == live.demo_ref
    assert remote.artifact.digest is not None and remote.artifact.digest.startswith("sha256:")
    assert not remote.issues


def test_docker_schema2_manifest(plain_registry: LiveRegistry, demo_image: BuiltImage) -> None:
    ref = servers.push(plain_registry.server, f"docker-archive:{demo_image.archive}", "demo/v2s2")
    with RegistryClient.for_reference(parse_reference(ref), plain_registry.options) as client:
        assert client.get_manifest(parse_reference(ref)).media_type == DOCKER_MANIFEST
    archive = scan(ImageTarget(ref=str(demo_image.archive)), ScanOptions(scanners=frozenset()))
    remote = scan(ImageTarget(ref=ref), ScanOptions(scanners=frozenset(), source=_source(plain_registry)))
    assert remote.packages == archive.packages


@pytest.mark.parametrize("index_type", [OCI_INDEX, DOCKER_LIST])
def test_index_picks_the_platform(plain_registry: LiveRegistry, index_type: str) -> None:
    ref = parse_reference(plain_registry.demo_ref)
    with RegistryClient.for_reference(ref, plain_registry.options) as client:
        image = client.get_manifest(ref)
        # The arm64 entry is another (empty) image, so picking the wrong entry shows.
        raw_config = b'{"architecture": "arm64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}'
        config = client.push_blob(ref.repository, raw_config)
        empty = json.dumps(
            {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "layers": [],
             "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config,
                        "size": len(raw_config)}}
        ).encode()  # fmt: skip
        arm = client.put_manifest(ref.repository, "arm64-only", empty, OCI_MANIFEST)
        index = {
            "schemaVersion": 2,
            "mediaType": index_type,
            "manifests": [
                {"mediaType": OCI_MANIFEST, "digest": arm, "size": len(empty),
                 "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
                {"mediaType": image.media_type, "digest": image.digest, "size": len(image.raw),
                 "platform": {"os": "linux", "architecture": "amd64"}},
            ],
        }  # fmt: skip
        tag = "multi-" + index_type.rsplit(".", 2)[-2]
        index_digest = client.put_manifest(ref.repository, tag, json.dumps(index).encode(), index_type)
    multi = f"{ref.registry}/{ref.repository}:{tag}"
    report = scan(ImageTarget(ref=multi), ScanOptions(scanners=frozenset(), source=_source(plain_registry)))
    assert report.artifact.digest == image.digest
    assert report.packages
    arm64 = _source(plain_registry, platform=Platform(os="linux", architecture="arm64"))
    arm_report = scan(ImageTarget(ref=multi), ScanOptions(scanners=frozenset(), source=arm64))
    assert (arm_report.artifact.digest, arm_report.packages) == (arm, ())
    pinned = f"{ref.registry}/{ref.repository}@{index_digest}"
    assert scan(
        ImageTarget(ref=pinned), ScanOptions(scanners=frozenset(), source=_source(plain_registry))
    ).packages
    s390x = _source(plain_registry, platform=Platform(os="linux", architecture="s390x"))
    with pytest.raises(
        SourceError, match=r"no manifest for platform linux/s390x \(available: linux/arm64/v8"
    ):
        scan(ImageTarget(ref=multi), ScanOptions(scanners=frozenset(), source=s390x))


def test_cli_errors_exit_2_with_a_message(
    tls_registry: LiveRegistry, plain_registry: LiveRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    ca = str(tls_registry.server.ca_cert)
    ref = tls_registry.demo_ref
    assert main(["image", ref, "--ca-cert", ca, "--username", servers.USER, "--password", "nope"]) == 2
    err = capsys.readouterr().err
    assert "rejected the credentials" in err and "HTTP 401" in err and "Traceback" not in err
    assert main(["image", ref, "--username", servers.USER, "--password", servers.PASSWORD]) == 2
    assert "TLS certificate of" in capsys.readouterr().err
    missing = f"{plain_registry.server.host}/missing/repo:latest"
    assert main(["image", missing, "--insecure"]) == 2
    assert "HTTP 404" in capsys.readouterr().err


def test_cli_scan_with_password_from_environment(
    tls_registry: LiveRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HULLGUARD_PASSWORD", servers.PASSWORD)
    ca = str(tls_registry.server.ca_cert)
    args = ["image", tls_registry.demo_ref, "--ca-cert", ca, "--username", servers.USER, "--format", "json"]
    assert main([*args, "--scanners", "vuln"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["artifact"]["name"] == tls_registry.demo_ref
    assert any(p["name"] == "bash" and p["type"] == "deb" for p in report["packages"])


def test_tampered_and_missing_layers_in_the_registry_stop_the_scan(
    demo_image: BuiltImage, capsys: pytest.CaptureFixture[str]
) -> None:
    """A private registry (blobs are shared across repositories, so not the session one)."""
    with servers.run_registry() as server:
        ref = servers.push(server, demo_image.oci_ref, "demo/tampered")
        with RegistryClient.for_reference(parse_reference(ref), RegistryOptions(insecure=True)) as client:
            manifest = client.get_manifest(parse_reference(ref)).parsed
        assert isinstance(manifest, Manifest)
        blobs = server.root / "data/docker/registry/v2/blobs/sha256"
        smallest = min(manifest.layers, key=lambda layer: layer.size).digest.split(":")[1]
        data = blobs / smallest[:2] / smallest / "data"
        original = data.read_bytes()
        data.write_bytes(original[:-64] + bytes(64))
        # --no-cache: a warm analysis cache (keyed by the config's diff_ids) reads no blob at all.
        assert main(["image", ref, "--insecure", "--scanners", "", "--no-cache"]) == 2
        err = capsys.readouterr().err
        assert "digest mismatch" in err and smallest in err and "Traceback" not in err
        data.unlink()
        assert main(["image", ref, "--insecure", "--scanners", "", "--no-cache"]) == 2
        assert "HTTP 404" in capsys.readouterr().err
