"""What a registry's TLS endpoint presents: whether it speaks TLS, whether it verifies, when it expires."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime

from hullguard.registry.errors import RegistryError
from hullguard.registry.transport import RegistryOptions, ssl_context


@dataclass(frozen=True, slots=True, kw_only=True)
class TlsProbe:
    speaks_tls: bool
    verify_error: str | None = None
    """Why verification against the system trust store (plus --ca-cert) failed; None if it passed."""
    not_after: datetime | None = None


def split_host(host: str) -> tuple[str, int]:
    if host.startswith("["):
        name, _, port = host[1:].partition("]")
        return name, int(port.lstrip(":") or 443)
    name, _, port = host.partition(":")
    return name, int(port or 443)


def probe_tls(host: str, options: RegistryOptions, timeout: float = 10.0) -> TlsProbe:
    """Handshake with verification on; on failure, look again without it to learn the expiry."""
    name, port = split_host(host)
    verifying = ssl_context(RegistryOptions(ca_cert=options.ca_cert, client_cert=options.client_cert,
                                            client_key=options.client_key))  # fmt: skip
    assert isinstance(verifying, ssl.SSLContext)
    try:
        cert = _handshake(name, port, verifying, timeout)
        return TlsProbe(speaks_tls=True, not_after=_not_after(cert))
    except ssl.SSLCertVerificationError as e:
        error = e.verify_message or str(e)
    except ssl.SSLError as e:
        if "WRONG_VERSION_NUMBER" in str(e) or "wrong version number" in str(e) or "record layer" in str(e):
            return TlsProbe(speaks_tls=False)
        raise RegistryError(f"TLS handshake with {host} failed: {e}") from e
    der = _peer_der(name, port, timeout)
    return TlsProbe(
        speaks_tls=True, verify_error=error, not_after=_self_trusted_not_after(name, port, der, timeout)
    )


def _connect(name: str, port: int, timeout: float) -> socket.socket:
    try:
        return socket.create_connection((name, port), timeout=timeout)
    except OSError as e:
        raise RegistryError(f"cannot connect to {name}:{port}: {e.strerror or e}") from e


def _handshake(name: str, port: int, context: ssl.SSLContext, timeout: float) -> dict[str, object]:
    with _connect(name, port, timeout) as raw, context.wrap_socket(raw, server_hostname=name) as tls:
        return dict(tls.getpeercert() or {})


def _peer_der(name: str, port: int, timeout: float) -> bytes:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with _connect(name, port, timeout) as raw, context.wrap_socket(raw, server_hostname=name) as tls:
        der = tls.getpeercert(binary_form=True)
    if not der:
        raise RegistryError(f"{name}:{port} presented no certificate")
    return der


def _self_trusted_not_after(name: str, port: int, der: bytes, timeout: float) -> datetime | None:
    """The expiry of an untrusted certificate, read by trusting it alone for one handshake
    (the ssl module parses only verified certificates). None when even that fails (expired)."""
    context = ssl.create_default_context(cadata=ssl.DER_cert_to_PEM_cert(der))
    context.check_hostname = False
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    try:
        return _not_after(_handshake(name, port, context, timeout))
    except ssl.SSLError:
        return None


def _not_after(cert: dict[str, object]) -> datetime | None:
    value = cert.get("notAfter")
    if not isinstance(value, str):
        return None
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(value), tz=UTC)
