"""`docker-daemon:NAME` against a real `podman system service` (the Docker-compatible API)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.errors import SourceError
from hullguard.pipeline import ImageTarget, ScanOptions, scan
from hullguard.sources import SourceOptions
from hullguard.sources.daemon import open_daemon_image
from tests.conftest import require
from tests.support import podman as podman_support
from tests.support.images import BuiltImage
from tests.support.servers import free_port

pytestmark = pytest.mark.integration
NAME = "hullguard/bookworm-demo:latest"


@pytest.fixture(scope="module")
def podman(demo_image: BuiltImage) -> Iterator[podman_support.PodmanService]:
    missing = podman_support.missing_podman_tools()
    require(not missing, f"podman test needs: {', '.join(missing)}")
    with podman_support.run_podman_service(load=demo_image.archive) as service:
        yield service


def test_daemon_scan_equals_archive_scan(
    podman: podman_support.PodmanService, demo_image: BuiltImage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", podman.docker_host)
    archive = scan(ImageTarget(ref=str(demo_image.archive)), ScanOptions(scanners=frozenset()))
    daemon = scan(ImageTarget(ref=f"docker-daemon:{NAME}"), ScanOptions(scanners=frozenset()))
    assert daemon.packages == archive.packages
    assert daemon.artifact.layers == archive.artifact.layers
    assert daemon.artifact.name == NAME
    assert not daemon.issues


def test_spool_is_removed(
    podman: podman_support.PodmanService, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_HOST", podman.docker_host)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    with open_daemon_image(NAME, SourceOptions()) as image:
        assert image.repo_tags and image.repo_tags[0].endswith(NAME)
        assert len(list(tmp_path.iterdir())) == 1
        (spool,) = tmp_path.iterdir()
        assert spool.stat().st_mode & 0o077 == 0
    assert list(tmp_path.iterdir()) == []


def test_missing_image_and_missing_socket(
    podman: podman_support.PodmanService,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DOCKER_HOST", podman.docker_host)
    with pytest.raises(SourceError, match="no such image in the daemon"):
        scan(ImageTarget(ref="docker-daemon:nope/missing:1"), ScanOptions(scanners=frozenset()))
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/absent.sock")
    assert main(["image", f"docker-daemon:{NAME}"]) == 2
    err = capsys.readouterr().err
    assert "no socket at" in err and "set DOCKER_HOST=unix:///" in err
    stale = tmp_path / "stale.sock"
    stale.touch()  # exists, but nothing listens
    monkeypatch.setenv("DOCKER_HOST", f"unix://{stale}")
    assert main(["image", f"docker-daemon:{NAME}"]) == 2
    assert "cannot talk to unix://" in capsys.readouterr().err
    monkeypatch.setenv("DOCKER_HOST", "ssh://host")
    assert main(["image", f"docker-daemon:{NAME}"]) == 2
    assert "expected unix:///path" in capsys.readouterr().err


def test_daemon_over_tcp(podman: podman_support.PodmanService, monkeypatch: pytest.MonkeyPatch) -> None:
    """DOCKER_HOST=tcp://HOST:PORT: the same store served by a second podman on 127.0.0.1."""
    port = free_port()
    process = subprocess.Popen(
        [*podman.podman, "system", "service", "--time=0", f"tcp://127.0.0.1:{port}"],
        env=podman.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, (
                    "podman tcp service did not start"
                )
                time.sleep(0.1)
        monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{port}")
        with open_daemon_image(NAME, SourceOptions()) as image:
            assert len(image.layers) == 4
    finally:
        process.terminate()
        process.wait(timeout=15)
