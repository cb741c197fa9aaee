"""Images in a local Docker or Podman daemon, through the Docker Engine API (`docker-daemon:NAME`).

`GET /images/NAME/get` streams a docker-archive; it is spooled to a private temp file (the
archive format needs random access), capped in size, then read like any `docker save` tar.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from hullguard.errors import SourceError
from hullguard.oci.blobs import MAX_LAYER_BYTES
from hullguard.sources import SourceOptions
from hullguard.sources.docker_archive import read_docker_archive
from hullguard.sources.image import Image
from hullguard.sources.store import ArchiveStore

DEFAULT_HOST = "unix:///var/run/docker.sock"
MAX_ARCHIVE_BYTES = int(os.environ.get("HULLGUARD_MAX_ARCHIVE_BYTES", str(MAX_LAYER_BYTES * 4)))
TIMEOUT = 60.0


class DaemonError(SourceError):
    """The daemon does not have the image, or could not export it."""


class DaemonUnreachable(DaemonError):
    """No daemon answers where we looked."""

    def diagnostics(self) -> str:
        return f"{self}\nStart the daemon (or `podman system service`), or set DOCKER_HOST=unix:///path/to/socket."


@contextmanager
def open_daemon_image(name: str, options: SourceOptions) -> Iterator[Image]:
    """Export NAME from the daemon at $DOCKER_HOST and open it; the spool is removed afterwards."""
    host = os.environ.get("DOCKER_HOST") or default_host()
    with _client(host) as client:
        info = _inspect(client, name, host)
        spool = Path(tempfile.mkdtemp(prefix="hullguard-daemon-"))  # 0700: private to this user
        try:
            archive = spool / "image.tar"
            _export(client, name, archive, host)
            with ArchiveStore(archive) as store:
                image = read_docker_archive(store, f"docker-daemon:{name}", None)
                yield replace(
                    image,
                    name=name,
                    repo_tags=tuple(str(t) for t in info.get("RepoTags") or ()) or image.repo_tags,
                    repo_digests=tuple(str(d) for d in info.get("RepoDigests") or ()),
                )
        finally:
            shutil.rmtree(spool, ignore_errors=True)


def default_host() -> str:
    """Docker's socket, else rootful then rootless Podman's (its Docker-compatible API)."""
    candidates = [DEFAULT_HOST, "unix:///run/podman/podman.sock"]
    if os.environ.get("XDG_RUNTIME_DIR"):
        candidates.append(f"unix://{os.environ['XDG_RUNTIME_DIR']}/podman/podman.sock")
    for candidate in candidates:
        if Path(candidate.removeprefix("unix://")).exists():
            return candidate
    raise DaemonUnreachable(f"docker-daemon: no daemon socket found (tried {', '.join(candidates)})")


def _client(host: str) -> httpx.Client:
    """An HTTP client for DOCKER_HOST: `unix:///path` or plain `tcp://host:port`."""
    if host.startswith("unix://"):
        socket = host.removeprefix("unix://")
        if not Path(socket).exists():
            raise DaemonUnreachable(f"docker-daemon: no socket at {socket} (DOCKER_HOST={host})")
        transport = httpx.HTTPTransport(uds=socket)
        return httpx.Client(transport=transport, base_url="http://docker", timeout=TIMEOUT)
    if host.startswith("tcp://"):
        return httpx.Client(base_url="http://" + host.removeprefix("tcp://"), timeout=TIMEOUT)
    raise DaemonError(f"DOCKER_HOST={host!r}: expected unix:///path/to/socket or tcp://host:port")


def _path(name: str, action: str) -> str:
    return f"/images/{quote(name, safe='/:@')}/{action}"


def _inspect(client: httpx.Client, name: str, host: str) -> dict[str, Any]:
    try:
        response = client.get(_path(name, "json"))
    except httpx.HTTPError as e:
        raise DaemonUnreachable(f"docker-daemon: cannot talk to {host}: {e}") from e
    if response.status_code == 404:
        raise DaemonError(f"docker-daemon:{name}: no such image in the daemon at {host}")
    if response.status_code != 200:
        raise DaemonError(
            f"docker-daemon:{name}: {host} answered HTTP {response.status_code}: {_message(response)}"
        )
    try:
        doc = response.json()
    except ValueError as e:
        raise DaemonError(f"docker-daemon:{name}: {host} answered something other than JSON") from e
    return doc if isinstance(doc, dict) else {}


def _export(client: httpx.Client, name: str, dest: Path, host: str) -> None:
    written = 0
    try:
        with client.stream("GET", _path(name, "get")) as response:
            if response.status_code != 200:
                response.read()
                raise DaemonError(
                    f"docker-daemon:{name}: export failed, HTTP {response.status_code}: {_message(response)}"
                )
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                for chunk in response.iter_bytes(1 << 20):
                    written += len(chunk)
                    if written > MAX_ARCHIVE_BYTES:
                        raise DaemonError(
                            f"docker-daemon:{name}: the exported archive exceeds {MAX_ARCHIVE_BYTES >> 20} MiB "
                            "(set HULLGUARD_MAX_ARCHIVE_BYTES to raise it)"
                        )
                    out.write(chunk)
    except httpx.HTTPError as e:
        raise DaemonError(f"docker-daemon:{name}: export from {host} failed: {e}") from e


def _message(response: httpx.Response) -> str:
    try:
        doc = response.json()
    except ValueError:
        return response.text[:200]
    return str(doc.get("message", ""))[:200] if isinstance(doc, dict) else ""
