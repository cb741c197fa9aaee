"""Real PostgreSQL and Redis from Debian's packages, on 127.0.0.1 with data in a temp dir.

PostgreSQL refuses to run as root: under root the cluster belongs to the `postgres` user the
package creates, and its commands run through `runuser`. Each server is stopped (by its own
pid or pg_ctl) when the context ends.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import free_port


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def missing_service_tools() -> list[str]:
    missing = [] if postgres_bin() else ["postgresql"]
    return missing + [t for t in ("redis-server",) if shutil.which(t) is None]


@dataclass(frozen=True)
class Postgres:
    port: int
    data: Path
    as_user: tuple[str, ...]
    bin: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://hullguard@127.0.0.1:{self.port}/{database}"

    def pg_ctl(self, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", *args],
                       check=True, capture_output=True, timeout=60)

    def psql(self, sql: str) -> None:
        subprocess.run([*self.as_user, str(self.bin.parent / "bin" / "psql"), "-h", "127.0.0.1", "-p", str(self.port),
                        "-U", "hullguard", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       check=True, capture_output=True, timeout=60)

    def new_database(self, name: str) -> str:
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def restart(self) -> None:
        """Stop (fast: connections are cut) and start again on the same port."""
        self.pg_ctl("-m", "fast", "stop")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off -c max_connections=200"
        self.pg_ctl("-o", options, "-l", str(self.data / "log"), "start")


@contextmanager
def run_postgres() -> Iterator[Postgres]:
    bindir = postgres_bin()
    assert bindir is not None
    root = Path(tempfile.mkdtemp(prefix="hg-postgres-"))
    data = root / "data"
    as_user: tuple[str, ...] = ()
    if os.geteuid() == 0:
        as_user = ("runuser", "-u", "postgres", "--")
        os.chmod(root, 0o755)
    data.mkdir()
    if as_user:
        shutil.chown(data, "postgres", "postgres")
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "hullguard", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True, timeout=120)
    server = Postgres(port=free_port(), data=data, as_user=as_user, bin=bindir)
    server.start()
    try:
        yield server
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class Redis:
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@contextmanager
def run_redis() -> Iterator[Redis]:
    root = Path(tempfile.mkdtemp(prefix="hg-redis-"))
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        import socket

        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield Redis(port=port)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)
