"""Real servers for tests: Debian's docker-registry (distribution 2.8), plain or TLS + htpasswd.

Each server listens on 127.0.0.1 on a free port, with a config, certificate and htpasswd file
written to a private temp dir, and is stopped (by its own pid) when the fixture ends.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER = "hullguard"
PASSWORD = "correct-horse-battery"


@dataclass(frozen=True)
class RegistryServer:
    host: str
    """127.0.0.1:PORT"""
    root: Path
    tls: bool
    ca_cert: Path | None = None
    htpasswd: bool = False

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}"

    def skopeo_dest_args(self) -> list[str]:
        if not self.tls:
            return ["--dest-tls-verify=false"]
        args = ["--dest-cert-dir", str(self.root / "certs")]
        if self.htpasswd:
            args += ["--dest-creds", f"{USER}:{PASSWORD}"]
        return args


def missing_registry_tools() -> list[str]:
    return [t for t in ("docker-registry", "openssl", "htpasswd", "skopeo") if shutil.which(t) is None]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_certificate(
    directory: Path, days: int = 10, cn: str = "hullguard-test-registry"
) -> tuple[Path, Path]:
    """A self-signed certificate for IP:127.0.0.1 (its own CA); returns (cert, key)."""
    directory.mkdir(parents=True, exist_ok=True)
    # Only the .crt in `directory`: skopeo reads a cert dir's *.key files as client keys.
    cert, key = directory / "ca.crt", directory.parent / f"{directory.name}-server.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", str(days),
         "-subj", f"/CN={cn}", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@contextmanager
def run_registry(
    *, tls: bool = False, htpasswd: bool = False, cert_days: int = 10
) -> Iterator[RegistryServer]:
    root = Path(tempfile.mkdtemp(prefix="hg-registry-"))
    port = free_port()
    lines = [
        "version: 0.1",
        "log:",
        "  level: error",
        "  accesslog:",
        "    disabled: true",
        "storage:",
        "  filesystem:",
        f"    rootdirectory: {root / 'data'}",
        "  delete:",
        "    enabled: true",
        "http:",
        f"  addr: 127.0.0.1:{port}",
        "  secret: hullguard-test-secret",
    ]
    cert = None
    if tls:
        cert, key = make_certificate(root / "certs", days=cert_days)
        lines += ["  tls:", f"    certificate: {cert}", f"    key: {key}"]
    if htpasswd:
        subprocess.run(
            ["htpasswd", "-B", "-b", "-c", str(root / "htpasswd"), USER, PASSWORD],
            check=True,
            capture_output=True,
        )
        lines += ["auth:", "  htpasswd:", "    realm: hullguard-test", f"    path: {root / 'htpasswd'}"]
    (root / "config.yml").write_text("\n".join(lines) + "\n")
    log = (root / "registry.log").open("wb")
    process = subprocess.Popen(
        ["docker-registry", "serve", str(root / "config.yml")], stdout=log, stderr=subprocess.STDOUT
    )
    server = RegistryServer(host=f"127.0.0.1:{port}", root=root, tls=tls, ca_cert=cert, htpasswd=htpasswd)
    try:
        _wait_ready(server, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def _wait_ready(server: RegistryServer, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    context = ssl.create_default_context(cafile=str(server.ca_cert)) if server.ca_cert else None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"docker-registry exited: {(server.root / 'registry.log').read_text()[-2000:]}"
            )
        try:
            urllib.request.urlopen(f"{server.url}/v2/", timeout=2, context=context)
            return
        except urllib.error.HTTPError:
            return  # 401 is an answer: it is up
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"docker-registry did not start within {timeout} s")


def push(server: RegistryServer, source: str, repository: str, tag: str = "latest") -> str:
    """`skopeo copy SOURCE docker://HOST/REPO:TAG`; returns the pushed reference."""
    ref = f"{server.host}/{repository}:{tag}"
    result = subprocess.run(
        ["skopeo", "copy", "--quiet", *server.skopeo_dest_args(), source, f"docker://{ref}"],
        capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"skopeo copy to {ref} failed: {result.stderr[-2000:]}")
    return ref
