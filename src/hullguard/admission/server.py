"""Serving the app over HTTPS with uvicorn: TLS 1.2 or newer, the certificate reloaded when its files change."""

from __future__ import annotations

import gc
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullguard.errors import Error

RELOAD_SECONDS = 2.0


class ServeError(Error):
    """The server cannot start: a bad address, certificate or key."""


def parse_listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ServeError(f"--listen {text!r}: expected HOST:PORT, e.g. 0.0.0.0:8443")
    return host.strip("[]") or "0.0.0.0", int(port)  # noqa: S104 - a webhook listens for the API server


def _stamp(*paths: Path) -> tuple[tuple[int, int], ...]:
    try:
        return tuple((p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    except OSError:
        return ()


@dataclass
class CertificateWatcher:
    """Loads the pair again into the live SSLContext when either file changes: new handshakes
    get the new certificate, open connections keep theirs. A half-written pair is retried."""

    context: ssl.SSLContext
    cert: Path
    key: Path
    interval: float = RELOAD_SECONDS
    more: tuple[Callable[[], bool], ...] = ()

    def __post_init__(self) -> None:
        self.stop = threading.Event()
        self.seen = _stamp(self.cert, self.key)
        self.reloads = 0
        self.thread = threading.Thread(target=self._run, name="cert-watcher", daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(self.interval):
            for check in (self.check, *self.more):
                check()

    def check(self) -> bool:
        now = _stamp(self.cert, self.key)
        if not now or now == self.seen:
            return False
        try:
            self.context.load_cert_chain(self.cert, self.key)
        except (OSError, ssl.SSLError):
            return False  # mid-rotation: the next poll tries again
        self.seen = now
        self.reloads += 1
        return True


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except FileNotFoundError as e:
        raise ServeError(f"{e.filename}: no such file") from e
    except (OSError, ssl.SSLError) as e:
        raise ServeError(f"cannot load the TLS certificate {cert} with key {key}: {e}") from e
    return context


def serve(
    app: Any,
    listen: str,
    cert: Path,
    key: Path,
    log_level: str = "warning",
    checks: tuple[Callable[[], bool], ...] = (),
) -> None:
    """`checks`: more things to poll with the certificate (policy files)."""
    import uvicorn

    host, port = parse_listen(listen)
    context = tls_context(cert, key)
    config = uvicorn.Config(
        app, host=host, port=port, log_level=log_level, access_log=False, lifespan="off",
        ssl_certfile=str(cert), ssl_keyfile=str(key),
    )  # fmt: skip
    config.load()
    config.ssl = context  # ours: TLS 1.2 minimum, and reloadable in place
    watcher = CertificateWatcher(context, cert, key, more=checks)
    watcher.thread.start()
    # Everything loaded so far (modules, rules, compiled policies) lives as long as the process:
    # out of the collector's sight, a full collection scans only what requests made (a 30-60 ms
    # pause becomes microseconds, which is the p99 of a webhook).
    gc.collect()
    gc.freeze()
    try:
        uvicorn.Server(config).run()
    finally:
        watcher.stop.set()
