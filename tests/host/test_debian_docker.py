"""`host --root` over Debian's real docker.io package, unpacked as dpkg would (owners and modes
from the .deb): its unit, EnvironmentFile and defaults, read as they ship."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

import pytest

from hullguard.host.scan import HostOptions, scan_host
from tests.conftest import require
from tests.host.trees import base
from tests.support.images import cache_root

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("as_root")]


def docker_deb() -> Path:
    """Debian's docker.io .deb, downloaded once into the test cache."""
    require(
        shutil.which("apt-get") is not None and shutil.which("dpkg-deb") is not None,
        "needs apt-get and dpkg-deb",
    )
    folder = cache_root() / "debian-docker.io"
    folder.mkdir(parents=True, exist_ok=True)
    with (cache_root() / "debian-docker.io.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = sorted(folder.glob("docker.io_*.deb"))
        if not found:
            result = subprocess.run(
                ["apt-get", "download", "docker.io"], cwd=folder, capture_output=True, text=True
            )
            require(result.returncode == 0, f"apt-get download docker.io failed: {result.stderr[-500:]}")
            found = sorted(folder.glob("docker.io_*.deb"))
    return found[-1]


def test_debian_docker_io_as_installed(tmp_path: Path) -> None:
    tree = base(tmp_path)
    subprocess.run(["dpkg-deb", "-x", str(docker_deb()), str(tmp_path)], check=True)
    # what docker.io's postinst and docker.socket (SocketMode=0660, SocketGroup=docker) create
    tree.socket("/run/docker.sock", 0o660, (0, 998))
    result = scan_host(HostOptions(root=tmp_path, benchmark="cis-docker"))
    found = {f.id: f for f in result.findings}
    assert result.issues == ()
    # the unit ships root:root 0644; its ExecStart reads $DOCKER_OPTS from /etc/default/docker
    assert not any(k.startswith("HG-DOCKER-3.") for k in found), sorted(found)
    # the package's defaults leave the daemon settings CIS asks for unset
    for cis in ("2.2", "2.9", "2.12", "2.13", "2.14", "2.15", "2.16"):
        assert f"HG-DOCKER-{cis}" in found, cis
    assert found["HG-DOCKER-2.2"].location.path == "/etc/docker/daemon.json"
    # Debian installs dockerd in /usr/sbin: that is the path the audit watch must cover
    assert found["HG-DOCKER-1.1.3"].location.path == "/usr/sbin/dockerd"
    assert found["HG-DOCKER-1.1.7"].location.path == "/lib/systemd/system/docker.service"
    tree.file("/etc/default/docker", 'DOCKER_OPTS="--icc=false --live-restore --userland-proxy=false"\n')
    again = {f.id for f in scan_host(HostOptions(root=tmp_path, benchmark="cis-docker")).findings}
    assert {"HG-DOCKER-2.2", "HG-DOCKER-2.15", "HG-DOCKER-2.16"}.isdisjoint(again)
