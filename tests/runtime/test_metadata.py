"""Container metadata through the Docker Engine API, served by a real `podman system service`."""

from __future__ import annotations

import subprocess

import pytest

from hullguard.runtime.cgroups import CgroupMatch
from hullguard.runtime.metadata import ContainerCatalog, docker_socket_from
from tests.conftest import require
from tests.support import images
from tests.support.podman import missing_podman_tools, run_podman_service

pytestmark = pytest.mark.integration


def test_name_image_and_settings_from_the_docker_api(demo_image: images.BuiltImage) -> None:
    missing = missing_podman_tools()
    require(not missing, f"needs {', '.join(missing)}")
    with run_podman_service(load=demo_image.archive) as service:
        created = subprocess.run(
            [*service.podman, "create", "--name", "hg-api", "--privileged", "--label", "io.kubernetes.pod.name=web-0",
             "-v", "/etc/hostname:/data/hostname:ro", "hullguard/bookworm-demo:latest", "true"],
            env=service.env, capture_output=True, text=True, check=True)
        container_id = created.stdout.strip()
        catalog = ContainerCatalog(podman=("/nonexistent/podman",), docker_socket=str(service.socket))
        found = catalog.lookup(CgroupMatch("docker", container_id))
        assert (found.id, found.name, found.image) == (container_id, "hg-api", "docker.io/hullguard/bookworm-demo:latest")
        assert found.privileged is True and found.labels["io.kubernetes.pod.name"] == "web-0"
        assert ("/etc/hostname", "/data/hostname", False) in found.mounts
        assert catalog.lookup(CgroupMatch("docker", "0" * 64)).name is None  # unknown id: attributed, unnamed
        subprocess.run([*service.podman, "rm", "-f", "hg-api"], env=service.env, capture_output=True, check=False)


def test_docker_socket_from_environment() -> None:
    assert docker_socket_from({"DOCKER_HOST": "unix:///run/podman/podman.sock"}) == "/run/podman/podman.sock"
    assert docker_socket_from({}) == "/var/run/docker.sock"
    assert docker_socket_from({"DOCKER_HOST": "tcp://127.0.0.1:2375"}) is None
