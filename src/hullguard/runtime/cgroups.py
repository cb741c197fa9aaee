"""Container attribution from a cgroup path: docker, containerd, CRI-O and podman/libpod shapes,
systemd (`docker-<id>.scope`) and cgroupfs (`/docker/<id>`) managers alike."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_ID = r"([0-9a-f]{64})"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # conmon and the CRI-O/libpod monitors live beside the container, on the host side.
    ("conmon", re.compile(rf"^(?:libpod-conmon|crio-conmon)-{_ID}(?:\.scope)?$")),
    ("podman", re.compile(rf"^libpod-{_ID}(?:\.scope)?$")),
    ("docker", re.compile(rf"^docker-{_ID}\.scope$")),
    ("containerd", re.compile(rf"^cri-containerd-{_ID}\.scope$")),
    ("cri-o", re.compile(rf"^crio-{_ID}\.scope$")),
)
_BARE = re.compile(rf"^{_ID}$")
_PARENT_RUNTIME = (("docker", "docker"), ("libpod_parent", "podman"), ("kubepods", "containerd"),
                   ("crio", "cri-o"))


@dataclass(frozen=True, slots=True)
class CgroupMatch:
    runtime: str
    """docker, containerd, cri-o, podman, or `unknown` for a bare id under an unknown parent."""
    id: str


def match_cgroup(path: str) -> CgroupMatch | None:
    """The container a cgroup path (or just its leaf name) belongs to; None for the host."""
    parts = [p for p in path.strip().split("/") if p]
    for index in range(len(parts) - 1, -1, -1):
        name = parts[index]
        for runtime, pattern in _PATTERNS:
            m = pattern.match(name)
            if m is not None:
                return None if runtime == "conmon" else CgroupMatch(runtime, m.group(1))
        m = _BARE.match(name)
        if m is not None:
            parents = parts[:index]
            runtime = next((r for key, r in _PARENT_RUNTIME if any(p.startswith(key) for p in parents)), "unknown")
            return CgroupMatch(runtime, m.group(1))
    return None


def proc_cgroup(pid: int, proc: Path = Path("/proc")) -> str | None:
    """The process's cgroup path: the v2 (`0::`) line, else the first v1 line with a container in it."""
    try:
        text = (proc / str(pid) / "cgroup").read_text()
    except OSError:
        return None
    lines = [line.split(":", 2) for line in text.splitlines() if line.count(":") >= 2]
    unified = next((p for h, _, p in lines if h == "0"), None)
    if unified and match_cgroup(unified):
        return unified
    return next((p for _, _, p in lines if match_cgroup(p)), unified)
