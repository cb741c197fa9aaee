"""Drift: is a container's executable a file of its image, or was it written after the start?

The image's files are listed once per image (`podman image mount`, walked, unmounted): path,
size and mtime. An executable whose path is not in that list, or whose size or mtime differ,
is drift; where the storage driver is overlay, a file in the container's upper layer is too."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path

from hullguard.runtime.event import HOST, Container, Process
from hullguard.runtime.metadata import ContainerCatalog

MAX_FILES = 500_000
FileIndex = Mapping[str, tuple[int, int]]


class DriftChecker:
    def __init__(self, catalog: ContainerCatalog) -> None:
        self._catalog = catalog
        self._images: dict[str, FileIndex | None] = {}
        self._lock = threading.Lock()

    def prepare(self, container: Container) -> None:
        """List the container's image now, so the check at exec time is a lookup."""
        image = container.image_id
        if container.id == HOST or not image or image in self._images:
            return
        index = list_image(self._catalog.podman_command, image, self._catalog.env)
        with self._lock:
            self._images[image] = index

    def image_files(self, container: Container) -> FileIndex | None:
        with self._lock:
            return self._images.get(container.image_id or "")

    def is_drift(self, process: Process) -> bool | None:
        path = process.exepath
        if not path or not path.startswith("/") or process.host_root:
            return None
        upper = self._upper_dir(process.container)
        if upper is not None:
            return (Path(upper) / path.lstrip("/")).exists()
        index = self.image_files(process.container)
        if index is None:
            return None
        if process.exe_size is None or process.exe_mtime_ns is None:
            return path not in index
        return file_drifted(index, path, process.exe_size, process.exe_mtime_ns)

    def drifted_file(self, container: Container, path: str, size: int, mtime_ns: int) -> bool | None:
        index = self.image_files(container)
        return None if index is None else file_drifted(index, path, size, mtime_ns)

    def _upper_dir(self, container: Container) -> str | None:
        doc = self._catalog.inspected.get(container.id) or {}
        data = (doc.get("GraphDriver") or {}).get("Data") or {}
        upper = data.get("UpperDir")
        return upper if isinstance(upper, str) and upper else None


def file_drifted(index: FileIndex, path: str, size: int, mtime_ns: int) -> bool:
    known = index.get(path)
    if known is None:
        # The path may reach the file through a symlink in the image (/bin -> usr/bin).
        real = _resolve_in_index(index, path)
        known = index.get(real) if real else None
    return known is None or known != (size, mtime_ns // 1_000_000_000)


def _resolve_in_index(index: FileIndex, path: str) -> str | None:
    for prefix, target in (("/bin/", "/usr/bin/"), ("/sbin/", "/usr/sbin/"), ("/lib/", "/usr/lib/")):
        if path.startswith(prefix):
            return target + path[len(prefix):]
    return None


def list_image(podman: tuple[str, ...], image_id: str, env: Mapping[str, str] | None) -> FileIndex | None:
    """path → (size, mtime seconds) of every regular file of the image; None if it cannot be read."""
    try:
        mounted = subprocess.run([*podman, "image", "mount", image_id], capture_output=True, text=True,
                                 timeout=60, env=dict(env) if env else None, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    root = mounted.stdout.strip()
    if mounted.returncode != 0 or not root:
        return None
    try:
        return walk_files(Path(root))
    finally:
        subprocess.run([*podman, "image", "unmount", image_id], capture_output=True, timeout=60,
                       env=dict(env) if env else None, check=False)


def walk_files(root: Path) -> FileIndex:
    """Listed by `find` in its own process: a Python walk would hold the GIL for seconds while
    the event loop must keep draining the kernel's buffer."""
    result = subprocess.run(["find", str(root), "-xdev", "-type", "f", "-printf", "/%P\\t%s\\t%T@\\n"],
                            capture_output=True, timeout=300, check=False)
    index: dict[str, tuple[int, int]] = {}
    for line in result.stdout.split(b"\n")[:MAX_FILES]:
        path, _, rest = line.partition(b"\t")
        size, _, mtime = rest.partition(b"\t")
        if mtime:
            index[path.decode("utf-8", "surrogateescape")] = (int(size), int(float(mtime)))
    return index
