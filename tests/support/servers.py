"""Real servers for tests: Debian's docker-registry (distribution 2.8), plain or TLS + htpasswd.

Each server listens on 127.0.0.1 on a free port, with a config, certificate and htpasswd file
written to a private temp dir, and is stopped (by its own pid) when the fixture ends.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
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


def make_client_certificate(directory: Path) -> tuple[Path, Path, Path]:
    """A client CA and a client certificate (extendedKeyUsage clientAuth) it signed: (ca, cert, key)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = directory / "client-ca.crt", directory / "client-ca.key"
    cert, key, csr = directory / "client.crt", directory / "client.key", directory / "client.csr"
    ext = directory / "client.ext"
    ext.write_text("extendedKeyUsage=clientAuth\n")
    for cmd in (
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2", "-subj", "/CN=hg-client-ca",
         "-keyout", ca_key, "-out", ca],
        ["req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-subj", "/CN=hg-client", "-keyout", key, "-out", csr],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2", "-sha256",
         "-extfile", ext, "-out", cert],
    ):  # fmt: skip
        subprocess.run(["openssl", *map(str, cmd)], check=True, capture_output=True)
    return ca, cert, key


@contextmanager
def run_registry(
    *,
    tls: bool = False,
    htpasswd: bool = False,
    cert_days: int = 10,
    auth_lines: list[str] | None = None,
    certificate: tuple[Path, Path] | None = None,
    client_ca: Path | None = None,
) -> Iterator[RegistryServer]:
    """`client_ca` makes the registry demand a client certificate signed by that CA (mTLS)."""
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
        cert, key = certificate or make_certificate(root / "certs", days=cert_days)
        lines += ["  tls:", f"    certificate: {cert}", f"    key: {key}"]
        if client_ca is not None:
            lines += ["    clientcas:", f"      - {client_ca}"]
    if htpasswd:
        subprocess.run(
            ["htpasswd", "-B", "-b", "-c", str(root / "htpasswd"), USER, PASSWORD],
            check=True,
            capture_output=True,
        )
        lines += ["auth:", "  htpasswd:", "    realm: hullguard-test", f"    path: {root / 'htpasswd'}"]
    lines += auth_lines or []
    (root / "config.yml").write_text("\n".join(lines) + "\n")
    log = (root / "registry.log").open("wb")
    process = subprocess.Popen(
        ["docker-registry", "serve", str(root / "config.yml")], stdout=log, stderr=subprocess.STDOUT
    )
    server = RegistryServer(host=f"127.0.0.1:{port}", root=root, tls=tls, ca_cert=cert, htpasswd=htpasswd)
    try:
        _wait_ready(server, process, tcp_only=client_ca is not None)
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


def _wait_ready(
    server: RegistryServer, process: subprocess.Popen[bytes], timeout: float = 20, tcp_only: bool = False
) -> None:
    context = ssl.create_default_context(cafile=str(server.ca_cert)) if server.ca_cert else None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"docker-registry exited: {(server.root / 'registry.log').read_text()[-2000:]}"
            )
        try:
            if tcp_only:  # an mTLS registry: no client certificate here, so a TCP accept must do
                host, _, port = server.host.rpartition(":")
                socket.create_connection((host, int(port)), timeout=2).close()
                return
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


PODMAN_CONF = """\
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


@dataclass(frozen=True)
class PodmanService:
    socket: Path
    docker_host: str
    podman: tuple[str, ...]
    """The podman command line bound to this service's private storage."""


def missing_podman_tools() -> list[str]:
    missing = [t for t in ("podman", "runc") if shutil.which(t) is None]
    if os.geteuid() != 0:
        missing.append("root (rootful podman)")
    return missing


@contextmanager
def run_podman_service(load: Path | None = None) -> Iterator[PodmanService]:
    """`podman system service unix:///PATH` on private storage (vfs), with `load` loaded first."""
    root = Path(tempfile.mkdtemp(prefix="hg-podman-"))
    (root / "containers.conf").write_text(PODMAN_CONF)
    env = {**os.environ, "CONTAINERS_CONF": str(root / "containers.conf")}
    podman = (
        "podman",
        "--root",
        str(root / "storage"),
        "--runroot",
        str(root / "run"),
        "--storage-driver",
        "vfs",
    )
    if load is not None:
        result = subprocess.run([*podman, "load", "-i", str(load)], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"podman load failed: {result.stderr[-2000:]}")
    socket_path = root / "podman.sock"
    log = (root / "service.log").open("wb")
    process = subprocess.Popen(
        [*podman, "system", "service", "--time=0", f"unix://{socket_path}"], env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 20
        while not socket_path.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"podman system service did not start: {(root / 'service.log').read_text()[-2000:]}"
                )
            time.sleep(0.1)
        yield PodmanService(socket=socket_path, docker_host=f"unix://{socket_path}", podman=podman)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        subprocess.run([*podman, "system", "reset", "--force"], env=env, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


class _TokenHandler(http.server.BaseHTTPRequestHandler):
    """A token service as distribution's token auth expects: RS256 JWTs with an x5c chain.

    Grants whatever scope is asked to USER/PASSWORD; anonymous callers get `pull` only.
    """

    server: _TokenHTTPServer

    def do_GET(self) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        auth = self.headers.get("Authorization", "")
        user = None
        if auth.startswith("Basic "):
            name, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            if (name, secret) != (USER, PASSWORD):
                self._reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]})
                return
            user = name
        access = []
        for scope in query.get("scope", []):
            kind, name, actions = scope.split(":", 2) if scope.count(":") >= 2 else (scope, "", "")
            wanted = actions.split(",") if actions else []
            granted = wanted if user else [a for a in wanted if a == "pull"]
            access.append({"type": kind, "name": name, "actions": granted})
        self.server.requests.append((user, tuple(query.get("scope", []))))
        token = self.server.sign(query.get("service", [""])[0], user or "", access)
        self._reply(200, {"token": token, "expires_in": 300})

    def _reply(self, status: int, doc: object) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _TokenHTTPServer(http.server.ThreadingHTTPServer):
    def __init__(self, cert: Path, key: Path) -> None:
        super().__init__(("127.0.0.1", 0), _TokenHandler)
        self.cert, self.key = cert, key
        self.requests: list[tuple[str | None, tuple[str, ...]]] = []
        der = ssl.PEM_cert_to_DER_cert(cert.read_text())
        self.x5c = base64.b64encode(der).decode()

    def sign(self, service: str, subject: str, access: list[dict[str, object]]) -> str:
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}
        claims = {"iss": "hullguard-test-issuer", "sub": subject, "aud": service, "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": f"{now}-{len(self.requests)}", "access": access}  # fmt: skip
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", str(self.key)],
            input=signing_input.encode(), capture_output=True, check=True,
        ).stdout  # fmt: skip
        return f"{signing_input}.{_b64url(signature)}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class TokenRegistry:
    registry: RegistryServer
    token_server: _TokenHTTPServer
    ca_cert: Path
    """Signs the token service's certificate (and the registry's, when it has TLS)."""


@contextmanager
def run_token_registry(tls: bool = True) -> Iterator[TokenRegistry]:
    """A registry (TLS unless `tls` is false) using bearer-token auth from a TLS token service."""
    root = Path(tempfile.mkdtemp(prefix="hg-token-"))
    cert, key = make_certificate(root / "certs")
    token_server = _TokenHTTPServer(cert, key)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    token_server.socket = context.wrap_socket(token_server.socket, server_side=True)
    thread = threading.Thread(target=token_server.serve_forever, daemon=True)
    thread.start()
    realm = f"https://127.0.0.1:{token_server.server_address[1]}/token"
    auth = [
        "auth:",
        "  token:",
        f"    realm: {realm}",
        "    service: hullguard-test",
        "    issuer: hullguard-test-issuer",
        f"    rootcertbundle: {cert}",
    ]
    try:
        with run_registry(tls=tls, auth_lines=auth, certificate=(cert, key)) as registry:
            yield TokenRegistry(registry=registry, token_server=token_server, ca_cert=cert)
    finally:
        token_server.shutdown()
        token_server.server_close()
        shutil.rmtree(root, ignore_errors=True)
