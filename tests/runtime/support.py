"""Real containers for the runtime tests: rootful podman with runc on private vfs storage, and
the monitor (`hullguard runtime watch`) as a real root process reading the real kernel."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.podman import PODMAN_CONF

REPO = Path(__file__).resolve().parents[2]
IMAGE = "docker.io/hullguard/bookworm-demo:latest"
STORAGE_CONF = """\
[storage]
driver = "{driver}"
graphroot = "{root}/storage"
runroot = "{root}/run"
"""


@dataclass(frozen=True)
class Store:
    root: Path
    env: dict[str, str]

    def podman(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(["podman", *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError(f"podman {' '.join(args)}: {result.stderr[-2000:]}")
        return result

    def run(self, name: str, *command: str, options: tuple[str, ...] = ()) -> str:
        """Run a container to completion (kept, so the monitor can still inspect it); its full id."""
        self.podman("run", "--name", name, "--user", "0", *options, IMAGE, *command, check=False)
        return self.podman("container", "inspect", "--format", "{{.Id}}", name).stdout.strip()


@contextmanager
def podman_store(archive: Path, driver: str = "vfs") -> Iterator[Store]:
    """Private storage (containers.conf + storage.conf, so every podman, ours and the
    monitor's, sees it) with the demo image loaded. vfs has no upper layer (drift is found
    against the image's file list); overlay has one (drift is a file in the UpperDir)."""
    root = Path(tempfile.mkdtemp(prefix="hg-rt-podman-"))
    (root / "containers.conf").write_text(PODMAN_CONF.format(tmp=root / "libpod-tmp"))
    (root / "storage.conf").write_text(STORAGE_CONF.format(root=root, driver=driver))
    env = {**os.environ, "CONTAINERS_CONF": str(root / "containers.conf"),
           "CONTAINERS_STORAGE_CONF": str(root / "storage.conf")}
    store = Store(root=root, env=env)
    try:
        store.podman("load", "-q", "-i", str(archive), timeout=300)
        yield store
    finally:
        store.podman("rm", "-af", "-t", "0", check=False)
        store.podman("image", "unmount", "-a", check=False)
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Monitor:
    process: subprocess.Popen[str]
    output: Path
    attached: str

    def stop(self) -> tuple[list[dict[str, Any]], str]:
        """SIGTERM, wait for the clean end; the alerts written and the rest of stderr."""
        self.process.send_signal(signal.SIGTERM)
        try:
            _, err = self.process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        alerts = [json.loads(line) for line in self.output.read_text().splitlines() if line.strip()]
        return alerts, err


@contextmanager
def monitor(store: Store, *args: str, tmp: Path) -> Iterator[Monitor]:
    """`hullguard runtime watch ARGS --output FILE`, yielded once it says it is watching."""
    output = tmp / "alerts.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "hullguard.cli.main", "runtime", "watch", "--output", str(output), *args],
        env=store.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    seen = ""
    while "watching (" not in seen:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"monitor did not attach: {seen}{process.stderr.read()}")
        if select.select([process.stderr], [], [], 0.5)[0]:
            seen += process.stderr.readline()
    attached = next(line for line in seen.splitlines() if "watching (" in line)
    mon = Monitor(process=process, output=output, attached=attached)
    try:
        yield mon
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def by_container(alerts: list[dict[str, Any]], container_id: str) -> list[dict[str, Any]]:
    return [a for a in alerts if (a.get("location") or {}).get("container", {}).get("id") == container_id]
