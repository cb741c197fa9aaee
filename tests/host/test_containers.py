"""`host --containers` against real containers: rootful podman + runc behind `podman system service`."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hullguard.host.containers.cgroups import read_limits
from hullguard.host.containers.scan import scan_containers
from hullguard.host.tree import HostTree
from hullguard.model import Misconfiguration
from tests.conftest import require
from tests.host.container_image import missing, pause_image
from tests.support.podman import PodmanService, missing_podman_tools, run_podman_service

IMAGE = "hullguard/host-pause:latest"
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def service() -> Iterator[PodmanService]:
    absent = missing_podman_tools() + missing()
    require(not absent, f"container tests need {', '.join(absent)}")
    with run_podman_service(load=pause_image().archive) as svc:

        def run(*args: str) -> None:
            result = subprocess.run(
                [*svc.podman, "run", "-d", *args], env=svc.env, capture_output=True, text=True
            )
            assert result.returncode == 0, result.stderr

        try:
            run(
                "--name",
                "hardened",
                "--read-only",
                "--memory",
                "64m",
                "--cpus",
                "0.5",
                "--pids-limit",
                "50",
                "--security-opt",
                "no-new-privileges",
                "--cap-drop",
                "ALL",
                "--restart",
                "on-failure:3",
                "--health-cmd",
                "/pause",
                "--network",
                "none",
                IMAGE,
            )
            run(
                "--name",
                "loose",
                "--privileged",
                "--cap-add",
                "SYS_ADMIN",
                "-v",
                "/etc:/host-etc:ro",
                "-v",
                f"{svc.socket}:/var/run/docker.sock",
                "--pid",
                "host",
                "--ipc",
                "host",
                "--uts",
                "host",
                "--network",
                "host",
                "--security-opt",
                "seccomp=unconfined",
                "--restart",
                "always",
                "--pids-limit",
                "0",
                IMAGE,
                "/usr/sbin/sshd",
            )
            run(
                "--name",
                "proxy",
                "--network",
                "none",
                IMAGE,
                "/usr/local/bin/kube-proxy",
                "--config=/var/lib/kube-proxy/config.conf",
                "--hostname-override=node-1",
            )
            run("--name", "web", "-p", "80:8080", "--memory", "32m", "--cap-add", "NET_ADMIN", IMAGE)
            exec_ = subprocess.run(
                [*svc.podman, "exec", "-d", "--privileged", "--user", "0", "web", "/pause"],
                env=svc.env,
                capture_output=True,
                text=True,
            )
            assert exec_.returncode == 0, exec_.stderr
            yield svc
        finally:
            subprocess.run([*svc.podman, "rm", "-f", "-t", "0", "--all"], env=svc.env, capture_output=True)


def by_container(findings: list[Misconfiguration]) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for f in findings:
        assert f.location.container is not None and f.location.container.image == f"docker.io/{IMAGE}"
        out.setdefault(f.location.container.name or "", {}).setdefault(f.id, []).append(f.message)
    return out


def test_section_5_on_real_containers(service: PodmanService) -> None:
    findings, issues = scan_containers(service.docker_host)
    assert issues == []
    found = by_container(findings)
    # hardened: limits, read-only root, no-new-privileges, health check, on-failure:3, no caps, no ports
    assert found.get("hardened") is None, found.get("hardened")
    loose = found["loose"]
    for cis in (
        "5.5",
        "5.6",
        "5.7",
        "5.10",
        "5.11",
        "5.12",
        "5.13",
        "5.15",
        "5.16",
        "5.17",
        "5.21",
        "5.22",
        "5.26",
        "5.27",
        "5.29",
        "5.32",
    ):
        assert f"HG-DOCKER-{cis}" in loose, (cis, sorted(loose))
    assert any("mounts host /etc at /host-etc (read-only)" in m for m in loose["HG-DOCKER-5.6"])
    assert any(
        m.endswith(f"mounts the container engine socket {service.socket} at /var/run/docker.sock")
        for m in loose["HG-DOCKER-5.32"]
    )
    web = found["web"]
    assert web["HG-DOCKER-5.4"][0].endswith("adds capabilities NET_ADMIN")
    assert web["HG-DOCKER-5.8"][0].endswith("maps container port 8080/tcp to privileged host port 80")
    assert "HG-DOCKER-5.14" in web and "HG-DOCKER-5.11" not in web
    assert "had a privileged exec: /pause (exec " in web["HG-DOCKER-5.23"][0]
    assert "had an exec as 0: /pause" in web["HG-DOCKER-5.24"][0]


def test_limits_are_read_from_the_cgroup(service: PodmanService) -> None:
    """cgroup v1 on this machine: the kernel's own files, compared with what was asked."""
    pid = int(
        subprocess.run(
            [*service.podman, "inspect", "-f", "{{.State.Pid}}", "hardened"],
            env=service.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    limits = read_limits(HostTree(Path("/")), pid)
    assert (limits.memory, limits.cpus, limits.pids) == (64 << 20, 0.5, 50)
    # the cgroup's limit is raised behind the engine's back: the scan sees it at the source
    memory_file = next(f for f in limits.files if f.endswith("memory.limit_in_bytes"))
    Path(memory_file).write_text(str(128 << 20))
    findings, _ = scan_containers(service.docker_host)
    lifted = [f.message for f in findings if f.id == "HG-HOST-010"]
    assert len(lifted) == 1 and "container hardened" in lifted[0]
    assert "asked for memory 67108864 bytes, the cgroup enforces 134217728 (cgroup v1:" in lifted[0]
    Path(memory_file).write_text(str(64 << 20))


def test_a_socket_that_does_not_answer_is_an_issue(tmp_path: Path) -> None:
    path = tmp_path / "docker.sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))  # bound, never listening: connections are refused
    try:
        findings, issues = scan_containers(f"unix://{path}")
    finally:
        s.close()
    assert findings == []
    assert len(issues) == 1 and issues[0].message.startswith(
        f"containers not checked: unix://{path} does not answer"
    )


def test_cli_report_names_each_container(
    service: PodmanService, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from hullguard.cli.main import main

    monkeypatch.setenv("DOCKER_HOST", service.docker_host)
    assert (
        main(["host", "--containers", "--no-host", "-f", "json", "-s", "CRITICAL", "--exit-code", "3"]) == 3
    )
    report = json.loads(capsys.readouterr().out)
    privileged = [f for f in report["findings"] if f["id"] == "HG-DOCKER-5.5"]
    assert len(privileged) == 1
    container = privileged[0]["location"]["container"]
    assert container["name"] == "loose" and len(container["id"]) == 64
    assert container["image"] == f"docker.io/{IMAGE}"
    assert {f["severity"] for f in report["findings"]} == {"CRITICAL"}


def test_a_containerized_daemon_config_is_read_through_its_proc_root(service: PodmanService) -> None:
    """kube-proxy runs in a pod: its --config exists only in the container's root."""
    from hullguard.host.components import Discovery

    pid = subprocess.run(
        [*service.podman, "inspect", "-f", "{{.State.Pid}}", "proxy"],
        env=service.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert not Path("/var/lib/kube-proxy/config.conf").exists()
    settings = Discovery(HostTree(Path("/"))).settings("kube-proxy")
    assert settings is not None and settings.command is not None
    assert settings.command.source == f"/proc/{pid}/cmdline"
    setting = settings.get("--metrics-bind-address", "metricsBindAddress")
    assert setting is not None and setting.value == "0.0.0.0:10249"
    assert setting.source == f"/proc/{pid}/root/var/lib/kube-proxy/config.conf"
