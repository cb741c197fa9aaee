"""Names that mean something: an OCI layout is named by its path and tag; the signing commands
refuse a local image with a clear message and never look a local path up on Docker Hub."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from hullguard.cli.main import main
from tests.sources.test_layers import make_tar


def _blob(layout: Path, data: bytes) -> dict[str, object]:
    digest = hashlib.sha256(data).hexdigest()
    (layout / "blobs/sha256").mkdir(parents=True, exist_ok=True)
    (layout / "blobs/sha256" / digest).write_bytes(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


def make_layout(layout: Path, tag: str) -> None:
    """An OCI image layout of one layer, as `umoci`/`skopeo copy oci:` write it."""
    layer = make_tar(("etc/os-release", "ID=alpine\nVERSION_ID=3.19.0\n", "file"))
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]},
        }
    ).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **_blob(layout, config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", **_blob(layout, layer)}],
        }
    ).encode()
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                **_blob(layout, manifest),
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }
        ],
    }
    (layout / "index.json").write_text(json.dumps(index))
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')


@pytest.mark.parametrize("spelling", ["{layout}", "oci:{layout}:1.0", "{layout}:1.0"])
def test_an_oci_layout_is_named_by_its_path_and_tag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spelling: str
) -> None:
    layout = tmp_path / "app-layout"
    make_layout(layout, "1.0")
    target = spelling.format(layout=layout)
    argv = ["image", target, "-f", "json", "--offline", "--cache-dir", str(tmp_path / "c"), "--scanners", ""]
    assert main(argv) == 0
    artifact = json.loads(capsys.readouterr().out)["artifact"]
    assert artifact["name"] == f"{layout}:1.0"
    assert "blobs/sha256" not in artifact["name"]


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COSIGN_PASSWORD", "pw")
    monkeypatch.chdir(tmp_path)
    assert main(["key", "generate", "-q"]) == 0
    return tmp_path


@pytest.mark.parametrize(
    "argv",
    [
        ("verify", "{target}", "--key", "cosign.pub"),
        ("verify-attestation", "{target}", "--key", "cosign.pub"),
        ("sign", "{target}", "--key", "cosign.key"),
        ("attest", "{target}", "--key", "cosign.key", "--predicate", "cosign.pub"),
    ],
)
@pytest.mark.parametrize(
    "target", ["demo.tar", "./demo.tar", "oci:layout:1", "{dir}", "docker-archive:x.tar"]
)
def test_signing_commands_refuse_a_local_image_without_a_registry_lookup(
    keys: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], target: str
) -> None:
    where = target.format(dir=keys)
    code = main([a.format(target=where) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"{where}: a local image" in err and "Push it first" in err
    assert "docker.io" not in err and "Traceback" not in err


def test_rootfs_and_image_input_are_trivy_aliases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_text("ID=alpine\nVERSION_ID=3.19.0\n")
    common = ["-f", "json", "--offline", "--cache-dir", str(tmp_path / "c"), "--scanners", ""]
    assert main(["rootfs", str(tmp_path), *common]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["artifact"]["type"] == "filesystem" and doc["artifact"]["os"]["family"] == "alpine"
    layout = tmp_path / "layout"
    make_layout(layout, "2.0")
    assert main(["image", "--input", str(layout), *common]) == 0
    assert json.loads(capsys.readouterr().out)["artifact"]["name"] == f"{layout}:2.0"
    assert main(["image", "-i", str(tmp_path / "missing.tar"), *common]) == 2
    assert "--input" in capsys.readouterr().err
    assert main(["image", str(layout), "--input", str(layout), *common]) == 2
    assert "not both" in capsys.readouterr().err
