"""A real webhook for tests: `hullguard admission serve` in its own process, over TLS on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from hullguard.admission.review import make_review
from tests.conftest import REPO
from tests.support.servers import free_port, make_certificate


@dataclass(frozen=True)
class Webhook:
    url: str
    ca: Path
    cert: Path
    key: Path
    process: subprocess.Popen[bytes]

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, verify=ssl.create_default_context(cafile=self.ca), timeout=30)

    def review(self, obj: dict[str, Any], path: str = "/validate", **kw: Any) -> dict[str, Any]:
        with self.client() as c:
            r = c.post(path, json=make_review(obj, **kw))
        assert r.status_code == 200, r.text
        response: dict[str, Any] = r.json()["response"]
        return response


@contextmanager
def run_webhook(tmp: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Webhook]:
    """Starts the server with a fresh self-signed certificate; stops it (by its pid) at the end."""
    cert, key = make_certificate(tmp / "tls")
    port = free_port()
    log = (tmp / "serve.log").open("wb")
    command = [sys.executable, "-m", "hullguard.cli.main", "admission", "serve",
               "--listen", f"127.0.0.1:{port}", "--tls-cert", str(cert), "--tls-key", str(key), *args]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env={**os.environ, **(env or {})}
    )
    hook = Webhook(url=f"https://127.0.0.1:{port}", ca=cert, cert=cert, key=key, process=process)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"webhook exited: {(tmp / 'serve.log').read_text()}")
            try:
                with hook.client() as c:
                    if c.get("/healthz").status_code == 200:
                        break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"webhook did not start: {(tmp / 'serve.log').read_text()}")
            time.sleep(0.1)
        yield hook
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
