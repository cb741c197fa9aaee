"""Real servers for tests: Debian's docker-registry (distribution 2.8), plain or TLS + htpasswd.

Each server listens on 127.0.0.1 on a free port, with a config, certificate and htpasswd file
written to a private temp dir, and is stopped (by its own pid) when the fixture ends.
Bearer-token registries are in tests/support/token_service.py; podman in tests/support/podman.py.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import tempfile
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


def make_expired_certificate(directory: Path) -> tuple[Path, Path]:
    """Like make_certificate, but valid only from 30 to 2 days ago (openssl 3.0 cannot back-date)."""
    import ipaddress
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "ca.crt", directory.parent / f"{directory.name}-server.key"
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hullguard-expired-registry")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now - timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


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
        except urllib.error.URLError as e:
            if isinstance(e.reason, ssl.SSLCertVerificationError):
                return  # a TLS handshake with a (deliberately) bad certificate: it is up
            time.sleep(0.1)
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
