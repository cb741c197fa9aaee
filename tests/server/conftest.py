"""Fixtures for the service: real PostgreSQL, Redis and docker-registry, and `hullguard server` itself.

Every test that takes `database` runs twice: on SQLite in the data dir and on PostgreSQL."""

from __future__ import annotations

import itertools
import os
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

import httpx
import pytest

from tests.conftest import require
from tests.support import services
from tests.support.servers import free_port

HULLGUARD = [sys.executable, "-m", "hullguard.cli.main"]
_names = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[services.Postgres]:
    require(services.postgres_bin() is not None, "PostgreSQL (Debian's postgresql) is not installed")
    with services.run_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def redis() -> Iterator[services.Redis]:
    require(not services.missing_service_tools(), "redis-server is not installed (run scripts/setup)")
    with services.run_redis() as server:
        yield server


@pytest.fixture(scope="session")
def vuln_cache() -> Path:
    """One cache dir (vulnerability DB: the bundled advisories) for the CLI and the service alike."""
    return Path(tempfile.mkdtemp(prefix="hg-server-cache-"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str | None:
    """None: SQLite in the data dir; else a fresh PostgreSQL database's URL."""
    if request.param == "sqlite":
        return None
    server: services.Postgres = request.getfixturevalue("postgres")
    return server.new_database(f"hg_test_{os.getpid()}_{next(_names)}")


@dataclass
class Running:
    url: str
    data_dir: Path
    database: str | None
    admin: str
    viewer: str
    process: subprocess.Popen[bytes]
    log: Path

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token or self.admin}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def wait_scan(self, scan_id: str, timeout: float = 240) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self.client() as client:
            while time.monotonic() < deadline:
                doc: dict[str, Any] = client.get(f"/api/v1/scans/{scan_id}").json()
                if doc["status"] in ("done", "failed"):
                    return doc
                time.sleep(0.3)
        raise AssertionError(f"scan {scan_id} not finished in {timeout} s; log:\n{self.log.read_text()[-3000:]}")


def storage_args(data_dir: Path, database: str | None) -> list[str]:
    return ["--data-dir", str(data_dir), *(["--database", database] if database else [])]


def make_token(data_dir: Path, database: str | None, role: str) -> str:
    result = subprocess.run([*HULLGUARD, "server", "token", "create", "--role", role, *storage_args(data_dir, database)],
                            capture_output=True, text=True, check=True, timeout=120)
    return result.stdout.strip()


@contextmanager
def run_server(data_dir: Path, database: str | None, cache: Path, *extra: str, port: int | None = None,
               env: dict[str, str] | None = None, healthy: int = 200) -> Iterator[Running]:
    """`healthy`: the /healthz status that means started (503 for a server whose broker is away)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    admin, viewer = make_token(data_dir, database, "admin"), make_token(data_dir, database, "viewer")
    port = port or free_port()
    log = data_dir / f"server-{port}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*HULLGUARD, "server", "--listen", f"127.0.0.1:{port}", "--cache-dir", str(cache),
             *storage_args(data_dir, database), *extra],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        )
    running = Running(url=f"http://127.0.0.1:{port}", data_dir=data_dir, database=database, admin=admin,
                      viewer=viewer, process=process, log=log)
    try:
        wait_http(f"{running.url}/healthz", process, log, status=healthy)
        yield running
    finally:
        stop(process)


def wait_http(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60, status: int = 200) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=5).status_code == status:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer in {timeout} s: {log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def server(tmp_path: Path, database: str | None, vuln_cache: Path) -> Iterator[Running]:
    with run_server(tmp_path / "data", database, vuln_cache) as running:
        yield running
