"""Rootful `podman system service unix:///PATH` on private storage: the Docker Engine API for tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PODMAN_CONF = """\
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "{tmp}"
"""
# tmp_dir is private too: the default /run/libpod is shared with every other rootful podman here.


@dataclass(frozen=True)
class PodmanService:
    socket: Path
    docker_host: str
    podman: tuple[str, ...]
    """The podman command line bound to this service's private storage."""
    env: dict[str, str]
    """The environment to run `podman` with (CONTAINERS_CONF)."""


def missing_podman_tools() -> list[str]:
    missing = [t for t in ("podman", "runc") if shutil.which(t) is None]
    if os.geteuid() != 0:
        missing.append("root (rootful podman)")
    return missing


@contextmanager
def run_podman_service(load: Path | None = None) -> Iterator[PodmanService]:
    """`podman system service unix:///PATH` on private storage (vfs), with `load` loaded first."""
    root = Path(tempfile.mkdtemp(prefix="hg-podman-"))
    (root / "containers.conf").write_text(PODMAN_CONF.format(tmp=root / "libpod-tmp"))
    env = {**os.environ, "CONTAINERS_CONF": str(root / "containers.conf")}
    podman = (
        "podman",
        "--root",
        str(root / "storage"),
        "--runroot",
        str(root / "run"),
        "--storage-driver",
        "vfs",
    )
    if load is not None:
        result = subprocess.run([*podman, "load", "-i", str(load)], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"podman load failed: {result.stderr[-2000:]}")
    socket_path = root / "podman.sock"
    log = (root / "service.log").open("wb")
    process = subprocess.Popen(
        [*podman, "system", "service", "--time=0", f"unix://{socket_path}"], env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 20
        while not socket_path.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"podman system service did not start: {(root / 'service.log').read_text()[-2000:]}"
                )
            time.sleep(0.1)
        yield PodmanService(socket=socket_path, docker_host=f"unix://{socket_path}", podman=podman, env=env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        # Not `podman system reset`: as root it also clears machine-wide network configs.
        shutil.rmtree(root, ignore_errors=True)
