"""CIS Docker sections 1-3 over real host trees (real owners and modes, built as root)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.host.scan import HostOptions, scan_host
from tests.host.trees import Tree, good_docker_host

pytestmark = pytest.mark.usefixtures("as_root")


def ids(root: Path) -> dict[str, list[str]]:
    result = scan_host(HostOptions(root=root, benchmark="cis-docker"))
    out: dict[str, list[str]] = {}
    for f in result.findings:
        out.setdefault(f.id, []).append(f"{f.location.path}: {f.message}")
    return out


def test_a_hardened_docker_host_has_no_findings(tmp_path: Path) -> None:
    good_docker_host(tmp_path)
    result = scan_host(HostOptions(root=tmp_path, benchmark="cis-docker"))
    assert [f"{f.id} {f.message}" for f in result.findings] == []
    assert result.issues == ()


def test_daemon_settings_from_daemon_json(tmp_path: Path) -> None:
    tree = good_docker_host(tmp_path)
    tree.file(
        "/etc/docker/daemon.json",
        json.dumps(
            {
                "icc": True,
                "log-level": "debug",
                "iptables": False,
                "insecure-registries": ["10.1.2.3:5000"],
                "storage-driver": "aufs",
                "experimental": True,
                "cgroup-parent": "/custom",
                "storage-opts": ["dm.basesize=20G"],
                "seccomp-profile": "unconfined",
                "log-driver": "json-file",
            }
        ),
    )
    found = ids(tmp_path)
    for cis in (
        "2.2",
        "2.3",
        "2.4",
        "2.5",
        "2.6",
        "2.8",
        "2.9",
        "2.10",
        "2.11",
        "2.12",
        "2.13",
        "2.14",
        "2.15",
        "2.16",
        "2.17",
        "2.18",
    ):
        assert f"HG-DOCKER-{cis}" in found, cis
    assert found["HG-DOCKER-2.5"] == [
        "/etc/docker/daemon.json: docker: insecure-registries is '10.1.2.3:5000' in /etc/docker/daemon.json (must be empty)"
    ]


def test_flags_from_the_unit_drop_in_and_environment_file(tmp_path: Path) -> None:
    """systemd: an empty ExecStart= resets it; $DOCKER_OPTS splits into words from EnvironmentFile."""
    tree = good_docker_host(tmp_path)
    tree.file("/etc/docker/daemon.json", "{}")
    tree.file(
        "/etc/systemd/system/docker.service.d/override.conf",
        "[Service]\nEnvironmentFile=-/etc/default/docker\nExecStart=\n"
        "ExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2375 $DOCKER_OPTS\n",
    )
    tree.file(
        "/etc/default/docker",
        'DOCKER_OPTS="--icc=false --insecure-registry registry.local:5000 --live-restore"\n',
    )
    found = ids(tmp_path)
    assert "HG-DOCKER-2.2" not in found  # --icc=false came through $DOCKER_OPTS
    assert "HG-DOCKER-2.15" not in found
    assert found["HG-DOCKER-2.5"][0].startswith("/etc/systemd/system/docker.service.d/override.conf:")
    assert "tcp://0.0.0.0:2375 without tlsverify, tlscacert, tlscert, tlskey" in found["HG-DOCKER-2.7"][0]


def test_the_running_daemon_wins_over_the_unit(tmp_path: Path) -> None:
    tree = good_docker_host(tmp_path)
    tree.process(
        812,
        [
            "/usr/bin/dockerd",
            "--icc=true",
            "--tlsverify",
            "-H",
            "tcp://0.0.0.0:2376",
            "--tlscacert=/etc/docker/tls/ca.pem",
            "--tlscert=/etc/docker/tls/cert.pem",
            "--tlskey=/etc/docker/tls/key.pem",
        ],
    )
    tree.dir("/etc/docker/tls")
    tree.file("/etc/docker/tls/ca.pem", "ca", mode=0o644)
    tree.file("/etc/docker/tls/cert.pem", "cert", mode=0o444, owner=(1000, 1000))
    tree.file("/etc/docker/tls/key.pem", "key", mode=0o600)
    found = ids(tmp_path)
    assert found["HG-DOCKER-2.2"] == [
        "/proc/812/cmdline: docker: --icc is 'true' in /proc/812/cmdline (expected false)"
    ]
    assert "HG-DOCKER-2.7" not in found
    assert found["HG-DOCKER-3.10"] == [
        "/etc/docker/tls/ca.pem: /etc/docker/tls/ca.pem has mode 0644; expected 0444 or more restrictive"
    ]
    assert found["HG-DOCKER-3.11"] == [
        "/etc/docker/tls/cert.pem: /etc/docker/tls/cert.pem is owned by alice:alice; expected root:root"
    ]
    assert found["HG-DOCKER-3.14"] == [
        "/etc/docker/tls/key.pem: /etc/docker/tls/key.pem has mode 0600; expected 0400 or more restrictive"
    ]
    assert "HG-DOCKER-3.9" not in found and "HG-DOCKER-3.13" not in found


def test_file_ownership_and_permissions(tmp_path: Path) -> None:
    good_docker_host(tmp_path)
    os.chmod(tmp_path / "lib/systemd/system/docker.service", 0o666)
    os.chown(tmp_path / "lib/systemd/system/docker.socket", 1000, 0)
    os.chmod(tmp_path / "etc/docker", 0o777)
    os.chown(tmp_path / "etc/docker/daemon.json", 0, 1000)
    os.chmod(tmp_path / "etc/docker/daemon.json", 0o664)
    os.chmod(tmp_path / "etc/docker/certs.d/registry.example:5000/ca.crt", 0o644)
    os.chown(tmp_path / "run/docker.sock", 0, 0)
    os.chmod(tmp_path / "run/docker.sock", 0o666)
    os.chmod(tmp_path / "run/containerd/containerd.sock", 0o666)
    os.chown(tmp_path / "etc/default/docker", 1000, 1000)
    found = ids(tmp_path)
    assert set(found) == {
        "HG-DOCKER-3.2",
        "HG-DOCKER-3.3",
        "HG-DOCKER-3.6",
        "HG-DOCKER-3.8",
        "HG-DOCKER-3.15",
        "HG-DOCKER-3.16",
        "HG-DOCKER-3.17",
        "HG-DOCKER-3.18",
        "HG-DOCKER-3.19",
        "HG-DOCKER-3.24",
    }
    # /var/run/docker.sock is reached through the tree's absolute /var/run -> /run link
    assert found["HG-DOCKER-3.15"] == [
        "/var/run/docker.sock: /var/run/docker.sock is owned by root:root; expected root:docker"
    ]


def test_audit_rules_and_trusted_users(tmp_path: Path) -> None:
    tree = good_docker_host(tmp_path)
    tree.file("/etc/audit/rules.d/docker.rules", "-w /usr/bin/dockerd -k docker\n-w /etc/docker -k docker\n")
    tree.file("/etc/group", "root:x:0:\ndocker:x:998:alice,root\nalice:x:1000:\n")
    tree.file("/etc/fstab", "UUID=1 / ext4 defaults 0 1\n")
    found = ids(tmp_path)
    assert (
        "HG-DOCKER-1.1.3" not in found and "HG-DOCKER-1.1.6" not in found and "HG-DOCKER-1.1.11" not in found
    )
    assert found["HG-DOCKER-1.1.5"] == [
        "/var/lib/docker: /var/lib/docker is not watched by the audit rules (/etc/audit/rules.d/docker.rules)"
    ]
    assert "HG-DOCKER-1.1.13" not in found  # /etc/sysconfig/docker does not exist here
    assert "alice" in found["HG-DOCKER-1.1.2"][0] and "root," not in found["HG-DOCKER-1.1.2"][0]
    assert found["HG-DOCKER-1.1.1"] == [
        "/etc/fstab: /var/lib/docker is not a separate mount (checked /etc/fstab)"
    ]


def test_malformed_daemon_json_is_an_issue_and_the_rest_runs(tmp_path: Path) -> None:
    tree = good_docker_host(tmp_path)
    tree.file(
        "/etc/docker/daemon.json", '{\n  "icc": false,\n  "log-level": "info"\n  "live-restore": true\n}\n'
    )
    os.chmod(tmp_path / "run/docker.sock", 0o666)
    result = scan_host(HostOptions(root=tmp_path, benchmark="cis-docker"))
    messages = [i.message for i in result.issues]
    assert "/etc/docker/daemon.json: line 4 column 3: Expecting ',' delimiter" in messages
    assert any(m.startswith("HG-DOCKER-2.2 not checked: /etc/docker/daemon.json: line 4") for m in messages)
    assert {f.id for f in result.findings} == {"HG-DOCKER-3.16"}


def test_unreadable_files_are_issues(tmp_path: Path) -> None:
    """Root reads any mode, so unreadable here means a directory or a symlink loop where a file was expected."""
    tree = good_docker_host(tmp_path)
    (tmp_path / "etc/docker/daemon.json").unlink()
    tree.dir("/etc/docker/daemon.json")
    tree.symlink("/etc/audit/rules.d/loop.rules", "/etc/audit/rules.d/loop.rules")
    result = scan_host(HostOptions(root=tmp_path, benchmark="cis-docker"))
    messages = {(i.path, i.message) for i in result.issues}
    assert ("/etc/docker/daemon.json", "/etc/docker/daemon.json: Is a directory") in messages
    assert (
        "/etc/audit/rules.d/loop.rules",
        "/etc/audit/rules.d/loop.rules: too many levels of symbolic links",
    ) in messages
    assert "HG-DOCKER-3.6" not in {f.id for f in result.findings}


def test_symlinks_cannot_leave_the_root(tmp_path: Path) -> None:
    tree = good_docker_host(tmp_path / "host")
    (tmp_path / "outside.json").write_text('{"icc": true}')
    (tmp_path / "host/etc/docker/daemon.json").unlink()
    tree.symlink("/etc/docker/daemon.json", "../../../outside.json")
    found = ids(tmp_path / "host")
    assert "HG-DOCKER-2.2" in found  # the link did not reach outside.json; daemon.json is absent


def test_cli_json_report_and_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree: Tree = good_docker_host(tmp_path)
    os.chmod(tmp_path / "run/docker.sock", 0o666)
    assert (
        main(["host", "--root", str(tmp_path), "--benchmark", "cis-docker", "-f", "json", "--exit-code", "5"])
        == 5
    )
    report = json.loads(capsys.readouterr().out)
    assert [(f["id"], f["location"]["path"], f["kind"]) for f in report["findings"]] == [
        ("HG-DOCKER-3.16", "/var/run/docker.sock", "misconfiguration")
    ]
    assert tree.root == tmp_path
    assert (
        main(["host", "--root", str(tmp_path), "--benchmark", "cis-docker", "-s", "LOW", "--exit-code", "5"])
        == 0
    )


def test_manual_controls_are_listed_with_what_to_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["host", "--manual", "--benchmark", "cis-kubernetes-node"]) == 0
    out = capsys.readouterr().out
    assert "HG-KUBE-5.1.7    Avoid use of system:masters group\n" in out
    assert "No certificate should carry O=system:masters" in out
    assert "HG-KUBE-4.2.1 " not in out  # automated


def test_the_live_host_scans_without_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """This machine (podman, no Docker, no kubelet): the run completes and says what it skipped."""
    assert main(["host", "--benchmark", "cis-docker", "-f", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["artifact"]["name"] == "host"
    if (
        not Path("/etc/docker/daemon.json").exists()
        and not Path("/lib/systemd/system/docker.service").exists()
    ):
        assert {
            "stage": "host",
            "path": "/",
            "message": "cis-docker: no docker found on this host",
        } in report["issues"]


def test_auditctl_listing_shapes() -> None:
    """`auditctl -l` prints watches back as -w ... -p PERMS and path rules with arch and perm."""
    from hullguard.host.auditrules import AuditRules, parse_rules

    listing = (
        "-w /usr/bin/dockerd -p rwxa -k docker\n"
        "-a always,exit -F arch=b64 -S all -F path=/run/containerd -F perm=rwa -F key=docker\n"
        "-a always,exit -F arch=b64 -S all -F dir=/var/lib/docker -F perm=rwa -F key=docker\n"
        "-a never,task\n"
    )
    rules = AuditRules(watched=parse_rules(listing), source="auditctl -l")
    assert rules.watched == {"/usr/bin/dockerd", "/run/containerd", "/var/lib/docker"}
    assert rules.watches("/run/containerd/containerd.sock") and rules.watches("/var/lib/docker")
    assert not rules.watches("/usr/bin/dockerd-rootless.sh") and not rules.watches("/run")
