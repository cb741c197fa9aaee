"""Image policy against a real docker-registry: cosign-compatible signatures made by `hullguard sign`,
tags pinned to digests by /mutate, registry allow-list, vulnerability threshold from stored scans."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hullguard.admission.images.cache import TtlCache
from hullguard.admission.images.policy import pinned, pointer
from hullguard.cli.main import main
from hullguard.model import Digest
from hullguard.registry import RegistryClient, RegistryOptions, parse_reference
from hullguard.signing.keys import generate_key_pair
from tests.admission.conftest import Webhook, run_webhook
from tests.conftest import require
from tests.support import servers

pytestmark = pytest.mark.integration
PASSWORD = "admission test"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _layer(content: bytes) -> bytes:
    """An uncompressed layer tar with one file."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("etc/hullguard-test")
        info.size, info.mtime = len(content), 0
        tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


def _push_image(host: str, repository: str, tag: str, content: bytes) -> str:
    """A minimal real OCI image (config + one layer); returns its manifest digest."""
    ref = parse_reference(f"{host}/{repository}:{tag}")
    layer = _layer(content)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [diff_id]},
                         "config": {}}).encode()  # fmt: skip
    with RegistryClient.for_reference(ref, RegistryOptions(insecure=True)) as client:
        layer_digest = client.push_blob(repository, layer)
        config_digest = client.push_blob(repository, config)
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": len(layer)}],
        }).encode()  # fmt: skip
        return str(client.put_manifest(repository, tag, manifest, OCI_MANIFEST))


@pytest.fixture(scope="module")
def registry() -> Iterator[servers.RegistryServer]:
    missing = servers.missing_registry_tools()
    require(not missing, f"registry test tools missing: {', '.join(missing)} (run scripts/setup)")
    with servers.run_registry() as server:
        yield server


@pytest.fixture(scope="module")
def images(registry: servers.RegistryServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("keys")
    pair = generate_key_pair(PASSWORD.encode())
    (folder / "cosign.key").write_bytes(pair.private_pem)
    (folder / "cosign.pub").write_bytes(pair.public_pem)
    signed = _push_image(registry.host, "shop/web", "1.0", b"signed layer")
    unsigned = _push_image(registry.host, "shop/tool", "2.0", b"unsigned layer")
    mp = pytest.MonkeyPatch()
    mp.setenv("COSIGN_PASSWORD", PASSWORD)
    try:
        assert (
            main(["sign", f"{registry.host}/shop/web:1.0", "--key", str(folder / "cosign.key"), "--insecure"])
            == 0
        )
    finally:
        mp.undo()
    return {"key": folder / "cosign.pub", "signed": signed, "unsigned": unsigned, "host": registry.host}


def _pod(*images: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"},
            "spec": {"containers": [{"name": f"c{n}", "image": image} for n, image in enumerate(images)]}}  # fmt: skip


@pytest.fixture(scope="module")
def webhook(images: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Webhook]:
    tmp = tmp_path_factory.mktemp("signed-webhook")
    with run_webhook(tmp, "--require-signature", "--key", str(images["key"]), "--insecure-registry") as hook:
        yield hook


def test_a_signed_image_is_admitted_and_pinned_to_its_digest(
    webhook: Webhook, images: dict[str, Any]
) -> None:
    pod = _pod(f"{images['host']}/shop/web:1.0")
    assert webhook.review(pod)["allowed"] is True
    response = webhook.review(pod, path="/mutate")
    assert response["allowed"] is True
    assert response["patchType"] == "JSONPatch"
    assert json.loads(base64.b64decode(response["patch"])) == [
        {
            "op": "replace",
            "path": "/spec/containers/0/image",
            "value": f"{images['host']}/shop/web@{images['signed']}",
        }
    ]


def test_an_unsigned_image_is_refused_by_both_endpoints(webhook: Webhook, images: dict[str, Any]) -> None:
    pod = _pod(f"{images['host']}/shop/web:1.0", f"{images['host']}/shop/tool:2.0")
    for path in ("/validate", "/mutate"):
        response = webhook.review(pod, path=path)
        assert response["allowed"] is False
        message = response["status"]["message"]
        assert (
            f'[image] signature: container "c1": image {images["host"]}/shop/tool:2.0 ({images["unsigned"]})'
            in message
        )
        assert "no signatures found" in message
        assert "patch" not in response


def test_a_pinned_signed_image_needs_no_patch_and_a_pinned_unsigned_one_is_refused(
    webhook: Webhook, images: dict[str, Any]
) -> None:
    assert "patch" not in webhook.review(
        _pod(f"{images['host']}/shop/web@{images['signed']}"), path="/mutate"
    )
    assert webhook.review(_pod(f"{images['host']}/shop/tool@{images['unsigned']}"))["allowed"] is False


def test_a_missing_tag_is_refused_with_the_registry_answer(webhook: Webhook, images: dict[str, Any]) -> None:
    response = webhook.review(_pod(f"{images['host']}/shop/web:nope"))
    assert response["allowed"] is False
    assert "[image] resolve" in response["status"]["message"]


def test_a_warm_cache_answers_while_the_registry_is_down(
    images: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COSIGN_PASSWORD", PASSWORD)
    args = ("--require-signature", "--key", str(images["key"]), "--insecure-registry")
    with contextlib.ExitStack() as registry_up, run_webhook(tmp_path, *args) as hook:
        own = registry_up.enter_context(servers.run_registry())
        _push_image(own.host, "x/y", "1", b"cached")
        assert (
            main(
                ["sign", f"{own.host}/x/y:1", "--key", str(images["key"].parent / "cosign.key"), "--insecure"]
            )
            == 0
        )
        assert hook.review(_pod(f"{own.host}/x/y:1"))["allowed"] is True
        registry_up.close()  # the registry is gone: the digest and the verdict come from the cache
        assert hook.review(_pod(f"{own.host}/x/y:1"))["allowed"] is True
        response = hook.review(_pod(f"{own.host}/x/y:2"))
        assert response["allowed"] is False and "cannot resolve" in response["status"]["message"]


def test_the_cache_expires_and_stays_bounded() -> None:
    now = [0.0]
    cache: TtlCache[str, int] = TtlCache(ttl=10, size=2, clock=lambda: now[0])
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)  # evicts the least recently used: b
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    now[0] = 10.5
    assert cache.get("a") is None
    cache.put("d", 4, ttl=1)
    now[0] = 11.6
    assert cache.get("d") is None


def test_registry_allow_list(images: dict[str, Any], tmp_path: Path) -> None:
    with run_webhook(tmp_path, "--allow-registry", f"{images['host']}/shop") as hook:
        assert hook.review(_pod(f"{images['host']}/shop/web:1.0"))["allowed"] is True
        refused = hook.review(_pod("docker.io/library/nginx:1.27"))
        assert refused["allowed"] is False
        assert "[image] registry" in refused["status"]["message"]


def _scan_args(store: Path, unknown: str) -> list[str]:
    return [
        "--max-severity",
        "HIGH",
        "--scan-store",
        str(store),
        "--insecure-registry",
        "--unknown-images",
        unknown,
    ]


def _report(folder: Path, digest: str, severity: str, name: str = "") -> None:
    folder.mkdir(exist_ok=True)
    report = {"schema_version": 1, "artifact": {"name": "x", "type": "container_image", "digest": digest},
              "findings": [{"kind": "vulnerability", "id": "CVE-2024-0001", "severity": severity}]}  # fmt: skip
    (folder / f"{name}{hashlib.sha256(digest.encode()).hexdigest()[:12]}.json").write_text(json.dumps(report))


def test_max_severity_reads_the_latest_stored_scan(images: dict[str, Any], tmp_path: Path) -> None:
    store = tmp_path / "scans"
    _report(store, images["signed"], "MEDIUM")
    _report(store, images["unsigned"], "CRITICAL")
    with run_webhook(tmp_path, *_scan_args(store, "deny")) as hook:
        assert hook.review(_pod(f"{images['host']}/shop/web:1.0"))["allowed"] is True
        bad = hook.review(_pod(f"{images['host']}/shop/tool:2.0"))
        assert bad["allowed"] is False
        assert "has CRITICAL vulnerabilities above HIGH" in bad["status"]["message"]
        time.sleep(0.05)
        _report(store, images["unsigned"], "LOW", name="rescan")  # the newest report of a digest wins
        assert hook.review(_pod(f"{images['host']}/shop/tool:2.0"))["allowed"] is True
        unknown = _push_image(images["host"], "shop/new", "1", b"never scanned")
        response = hook.review(_pod(f"{images['host']}/shop/new:1"))
        assert response["allowed"] is False
        assert f"({unknown}) has no stored scan" in response["status"]["message"]


def test_an_unknown_image_is_scanned_for_the_retry(images: dict[str, Any], tmp_path: Path) -> None:
    store = tmp_path / "scans"
    digest = _push_image(images["host"], "shop/fresh", "1", b"scan me")
    with run_webhook(tmp_path, *_scan_args(store, "scan")) as hook:
        first = hook.review(_pod(f"{images['host']}/shop/fresh:1"))
        assert first["allowed"] is False
        assert f"({digest}) has no stored scan: a scan of it has started" in first["status"]["message"]
        report = store / f"{digest.replace(':', '-')}.json"
        deadline = time.monotonic() + 120
        while not report.exists():
            assert time.monotonic() < deadline, "the background scan did not store a report"
            time.sleep(0.2)
        assert json.loads(report.read_text())["artifact"]["digest"] == digest
        assert hook.review(_pod(f"{images['host']}/shop/fresh:1"))["allowed"] is True


def test_keyless_identity_refuses_an_image_signed_with_a_key(images: dict[str, Any], tmp_path: Path) -> None:
    args = ["--require-signature", "--certificate-identity", "release@example.com",
            "--certificate-oidc-issuer", "https://accounts.example.com", "--insecure-registry"]  # fmt: skip
    with run_webhook(tmp_path, *args) as hook:
        response = hook.review(_pod(f"{images['host']}/shop/web:1.0"))
        assert response["allowed"] is False
        assert "signed with a key, not keyless" in response["status"]["message"]


def test_the_config_file_sets_the_image_policy(images: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "cosign.pub").write_bytes(images["key"].read_bytes())
    config = tmp_path / "webhook.yaml"
    config.write_text(json.dumps({"images": {"requireSignature": True, "key": "cosign.pub", "insecure": True,
                                             "allowRegistries": [f"{images['host']}/shop"]}}))  # fmt: skip
    with run_webhook(tmp_path, "--config", str(config)) as hook:
        assert hook.review(_pod(f"{images['host']}/shop/web:1.0"))["allowed"] is True
        assert (
            "[image] signature" in hook.review(_pod(f"{images['host']}/shop/tool:2.0"))["status"]["message"]
        )


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("nginx", "nginx@sha256:ab"),
        ("nginx:1.27", "nginx@sha256:ab"),
        ("127.0.0.1:5000/a/b:1", "127.0.0.1:5000/a/b@sha256:ab"),
        ("127.0.0.1:5000/a/b", "127.0.0.1:5000/a/b@sha256:ab"),
        ("ghcr.io/org/app:v1-rc.2", "ghcr.io/org/app@sha256:ab"),
    ],
)
def test_pinned_drops_the_tag_and_keeps_the_name_as_written(image: str, expected: str) -> None:
    assert pinned(image, Digest("sha256:ab")) == expected


def test_patch_paths_follow_the_pod_template() -> None:
    assert (
        pointer(("spec", "template", "spec", "initContainers", 1, "image"))
        == "/spec/template/spec/initContainers/1/image"
    )
    assert pointer(("metadata", "annotations", "a/b~c")) == "/metadata/annotations/a~1b~0c"


def test_every_container_of_a_workload_template_is_pinned(webhook: Webhook, images: dict[str, Any]) -> None:
    image = f"{images['host']}/shop/web:1.0"
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "shop"},
                  "spec": {"template": {"spec": {"initContainers": [{"name": "init", "image": image}],
                                                 "containers": [{"name": "a", "image": image},
                                                                {"name": "b", "image": image}]}}}}  # fmt: skip
    response = webhook.review(deployment, path="/mutate")
    assert response["allowed"] is True
    ops = json.loads(base64.b64decode(response["patch"]))
    assert [op["path"] for op in ops] == [
        "/spec/template/spec/initContainers/0/image",
        "/spec/template/spec/containers/0/image",
        "/spec/template/spec/containers/1/image",
    ]
    assert {op["value"] for op in ops} == {f"{images['host']}/shop/web@{images['signed']}"}
