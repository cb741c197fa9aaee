"""Retries and timeouts against a small real HTTP server that misbehaves on purpose."""

from __future__ import annotations

import email.utils
import http.server
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from hullguard.registry import RegistryClient, RegistryError, RegistryOptions, Unauthorized


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Answers /v2/ with the next status from the server's script; /slow/ sleeps past the timeout."""

    server: _FlakyServer

    def do_GET(self) -> None:
        if self.path.startswith("/slow"):
            time.sleep(1.5)
        status, headers = self.server.script.pop(0) if self.server.script else (200, {})
        self.server.seen.append(status)
        body = b"{}"
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _FlakyServer(http.server.ThreadingHTTPServer):
    script: list[tuple[int, dict[str, str]]]
    seen: list[int]


@pytest.fixture
def flaky() -> Iterator[_FlakyServer]:
    server = _FlakyServer(("127.0.0.1", 0), _Flaky)
    server.script, server.seen = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _client(server: _FlakyServer, sleeps: list[float], **overrides: object) -> RegistryClient:
    options = RegistryOptions(sleep=sleeps.append, **overrides)  # type: ignore[arg-type]
    return RegistryClient(f"127.0.0.1:{server.server_address[1]}", options, scheme="http")


def test_retries_429_and_5xx_with_backoff_then_succeeds(flaky: _FlakyServer) -> None:
    flaky.script = [(429, {"Retry-After": "2"}), (503, {}), (502, {})]
    sleeps: list[float] = []
    with _client(flaky, sleeps) as client:
        assert client.ping().status_code == 200
    assert flaky.seen == [429, 503, 502, 200]
    assert sleeps == [2.0, 1.0, 2.0]  # Retry-After honoured, else 0.5 * 2**attempt


def test_retry_after_as_an_http_date(flaky: _FlakyServer) -> None:
    soon = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    flaky.script = [(503, {"Retry-After": soon}), (503, {"Retry-After": "Sun, 06 Nov 1994 08:49:37 GMT"})]
    sleeps: list[float] = []
    with _client(flaky, sleeps) as client:
        assert client.ping().status_code == 200
    assert 3.0 < sleeps[0] <= 5.0  # until that moment
    assert sleeps[1] == 0.0  # a date in the past: retry at once


def test_retries_are_bounded(flaky: _FlakyServer) -> None:
    flaky.script = [(503, {})] * 10
    sleeps: list[float] = []
    with _client(flaky, sleeps, retries=2) as client, pytest.raises(RegistryError) as caught:
        client.list_tags("any/repo")
    assert flaky.seen == [503, 503, 503]
    assert "HTTP 503 after 3 attempts" in str(caught.value)


def test_other_errors_are_not_retried(flaky: _FlakyServer) -> None:
    flaky.script = [(400, {})]
    with _client(flaky, []) as client, pytest.raises(RegistryError, match="HTTP 400"):
        client.list_tags("any/repo")
    assert flaky.seen == [400]


def test_timeout_is_a_clear_error(flaky: _FlakyServer) -> None:
    with _client(flaky, [], timeout=0.5) as client, pytest.raises(RegistryError) as caught:
        client.transport.request("GET", "/slow/")
    assert "did not answer within 0.5 s" in str(caught.value)


def test_connection_refused_is_a_clear_error() -> None:
    client = RegistryClient("127.0.0.1:9", RegistryOptions(), scheme="http")
    with client, pytest.raises(RegistryError, match=r"cannot connect to 127\.0\.0\.1:9"):
        client.ping()


def test_403_is_access_denied_with_the_registry_detail(flaky: _FlakyServer) -> None:
    """docker-registry itself never answers 403 (it says 401 or 405); other registries do."""
    flaky.script = [(403, {"Content-Type": "application/json"})]
    with _client(flaky, []) as client, pytest.raises(Unauthorized) as caught:
        client.list_tags("team/app")
    assert caught.value.status == 403
    assert "access denied by 127.0.0.1" in str(caught.value) and "HTTP 403" in str(caught.value)
    assert "lack permission" in caught.value.diagnostics()
    assert flaky.seen == [403]
