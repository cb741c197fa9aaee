"""A local HTTPS server that replays recorded API answers: the stand-in for a Kubernetes API
server, which cannot run on these machines. `respond(path, query)` gives (status, JSON body)."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from tests.support.servers import make_certificate

Respond = Callable[[str, dict[str, list[str]]], tuple[int, object]]


@dataclass
class Replay:
    url: str
    ca: Path
    seen: list[str] = field(default_factory=list)
    """`<Authorization header> <path?query>` of every request, in order."""

    def kubeconfig(self, path: Path, token: str, user: str = "reader") -> Path:
        path.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "test",
            "clusters": [{"name": "test", "cluster": {"server": self.url, "certificate-authority": str(self.ca)}}],
            "users": [{"name": user, "user": {"token": token}}],
            "contexts": [{"name": "test", "context": {"cluster": "test", "user": user}}],
        }))  # fmt: skip
        return path


@contextmanager
def replay_server(tmp_path: Path, respond: Respond) -> Iterator[Replay]:
    cert, key = make_certificate(tmp_path / "tls", cn="hullguard-test-apiserver")
    replay = Replay(url="", ca=cert)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            replay.seen.append(f"{self.headers.get('Authorization')} {self.path}")
            status, body = respond(url.path, parse_qs(url.query))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    replay.url = f"https://127.0.0.1:{server.server_address[1]}"
    try:
        yield replay
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
