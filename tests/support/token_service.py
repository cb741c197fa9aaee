"""docker-registry in token mode, with a small TLS token service: bearer auth for tests.

The service issues RS256 JWTs with an x5c chain (signed by `openssl dgst`), as distribution's
token authenticator expects; it grants USER/PASSWORD whatever scope they ask for, and
anonymous callers `pull` only.
"""

from __future__ import annotations

import base64
import http.server
import json
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import PASSWORD, USER, RegistryServer, make_certificate, run_registry


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
