"""Container name, image and settings from the runtime: `podman container inspect`, or the
Docker Engine API (`GET /containers/ID/json` on DOCKER_HOST's or /var/run/docker.sock's unix
socket, which podman's service also serves), or containerd's and CRI-O's state files
(`cri_state.py`); cached per id (a miss too, so an id is asked about once)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from hullguard.runtime.cgroups import CgroupMatch
from hullguard.runtime.cri_state import container_from_state
from hullguard.runtime.event import Container

INSPECT_TIMEOUT_S = 10


class ContainerCatalog:
    """id → Container, asking the runtime once per id."""

    def __init__(self, podman: tuple[str, ...] = ("podman",), env: Mapping[str, str] | None = None,
                 docker_socket: str | None = None, state_root: Path = Path("/")) -> None:
        self.podman_command = podman
        self.env = dict(env) if env is not None else None
        self.docker_socket = docker_socket or docker_socket_from(env if env is not None else os.environ)
        self.state_root = state_root
        """Where containerd's and CRI-O's state files are read (a test's tree, or /)."""
        self._cache: dict[str, Container] = {}
        self.inspected: dict[str, dict[str, Any]] = {}

    def lookup(self, match: CgroupMatch) -> Container:
        found = self._cache.get(match.id)
        if found is None:
            if match.runtime in ("containerd", "cri-o"):
                found = container_from_state(match.runtime, match.id, self.state_root)
            else:
                doc = self.inspect(match.id) if match.runtime in ("podman", "unknown") else None
                if doc is None and match.runtime in ("docker", "podman", "unknown"):
                    doc = self.inspect_api(match.id)
                found = container_from_inspect(doc, match) if doc else None
            found = found or Container(id=match.id, runtime=match.runtime)
            self._cache[match.id] = found
        return found

    def cached(self, container_id: str) -> Container | None:
        """What is known without asking the runtime (safe on the fanotify thread)."""
        return self._cache.get(container_id)

    def inspect(self, container_id: str) -> dict[str, Any] | None:
        if shutil.which(self.podman_command[0]) is None:
            return None
        try:
            result = subprocess.run([*self.podman_command, "container", "inspect", container_id], capture_output=True,
                                    text=True, timeout=INSPECT_TIMEOUT_S, env=self.env, check=False)
            docs = json.loads(result.stdout) if result.returncode == 0 else None
        except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
            return None
        if not isinstance(docs, list) or not docs or not isinstance(docs[0], dict):
            return None
        self.inspected[container_id] = docs[0]
        return docs[0]


    def inspect_api(self, container_id: str) -> dict[str, Any] | None:
        if not self.docker_socket or not os.path.exists(self.docker_socket):
            return None
        import httpx

        try:
            with httpx.Client(transport=httpx.HTTPTransport(uds=self.docker_socket), timeout=INSPECT_TIMEOUT_S) as c:
                response = c.get(f"http://docker/containers/{container_id}/json")
            doc = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None
        if not isinstance(doc, dict):
            return None
        self.inspected[container_id] = doc
        return doc


def docker_socket_from(env: Mapping[str, str]) -> str | None:
    host = env.get("DOCKER_HOST", "")
    if host.startswith("unix://"):
        return host[len("unix://"):]
    return "/var/run/docker.sock" if not host else None


def container_from_inspect(doc: Mapping[str, Any], match: CgroupMatch) -> Container:
    """A Container from `podman container inspect` (or Docker's /containers/ID/json) output."""
    config = doc.get("Config") or {}
    host = doc.get("HostConfig") or {}
    mounts = tuple(
        (str(m.get("Source", "")), str(m.get("Destination", "")), bool(m.get("RW", False)))
        for m in doc.get("Mounts") or () if isinstance(m, dict)
    )
    return Container(
        id=match.id,
        name=str(doc.get("Name", "")).lstrip("/") or None,
        image=doc.get("ImageName") or config.get("Image") or None,  # podman, else Docker
        image_id=doc.get("Image") or None,
        runtime=match.runtime if match.runtime != "unknown" else "podman",
        privileged=bool(host.get("Privileged", False)),
        start_ts=_start_ts((doc.get("State") or {}).get("StartedAt")),
        mounts=mounts,
        labels={str(k): str(v) for k, v in (config.get("Labels") or {}).items()},
    )


def _start_ts(text: object) -> int | None:
    if not isinstance(text, str) or not text:
        return None
    # podman: "2026-12-06 11:48:44.816661907 +0000 UTC"; docker: RFC 3339 with nanoseconds.
    head = text.replace(" UTC", "").replace("T", " ").replace("Z", " +0000")
    date, _, rest = head.partition(" ")
    clock, _, zone = rest.partition(" ")
    whole, _, frac = clock.partition(".")
    try:
        base = datetime.fromisoformat(f"{date} {whole} {zone or '+0000'}".replace(" +", "+").replace(" -", "-"))
    except ValueError:
        return None
    return int(base.timestamp()) * 1_000_000_000 + int((frac + "000000000")[:9])
