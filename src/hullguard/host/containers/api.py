"""A small Docker Engine API client: list, inspect, top and info, over a unix socket or TCP."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

DEFAULT_HOSTS = ("unix:///var/run/docker.sock", "unix:///run/podman/podman.sock")
TIMEOUT = 15.0
MAX_CONTAINERS = 2000


class ApiError(Exception):
    """The daemon did not answer, or answered something we cannot use."""


class DockerApi:
    def __init__(self, host: str) -> None:
        self.host = host
        if host.startswith("unix://"):
            path = host.removeprefix("unix://")
            if not Path(path).exists():
                raise ApiError(f"no socket at {path}")
            self._client = httpx.Client(
                transport=httpx.HTTPTransport(uds=path), base_url="http://docker", timeout=TIMEOUT
            )
        elif host.startswith("tcp://"):
            self._client = httpx.Client(base_url="http://" + host.removeprefix("tcp://"), timeout=TIMEOUT)
        else:
            raise ApiError(f"DOCKER_HOST={host!r}: expected unix:///path or tcp://host:port")

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> DockerApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, path: str) -> Any:
        try:
            response = self._client.get(path)
        except httpx.HTTPError as e:
            raise ApiError(f"{self.host} does not answer: {e}") from e
        if response.status_code != 200:
            raise ApiError(
                f"{self.host}: GET {path} answered HTTP {response.status_code}: {response.text[:200]}"
            )
        try:
            return response.json()
        except ValueError as e:
            raise ApiError(f"{self.host}: GET {path} answered something other than JSON") from e

    def running(self) -> list[str]:
        listed = self.get("/containers/json")
        if not isinstance(listed, list):
            raise ApiError(f"{self.host}: /containers/json is not a list")
        return [str(c["Id"]) for c in listed[:MAX_CONTAINERS] if isinstance(c, dict) and "Id" in c]

    def inspect(self, container_id: str) -> dict[str, Any]:
        doc = self.get(f"/containers/{quote(container_id, safe='')}/json")
        if not isinstance(doc, dict):
            raise ApiError(f"{self.host}: inspect of {container_id[:12]} is not an object")
        return doc

    def exec_inspect(self, exec_id: str) -> dict[str, Any]:
        doc = self.get(f"/exec/{quote(exec_id, safe='')}/json")
        return doc if isinstance(doc, dict) else {}

    def top(self, container_id: str) -> list[list[str]]:
        doc = self.get(f"/containers/{quote(container_id, safe='')}/top")
        rows = doc.get("Processes") if isinstance(doc, dict) else None
        return [[str(c) for c in row] for row in rows or [] if isinstance(row, list)]


def default_host() -> str | None:
    return next((h for h in DEFAULT_HOSTS if Path(h.removeprefix("unix://")).exists()), None)
