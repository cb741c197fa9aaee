"""Alert outputs: the finding as JSON, Falco's JSON shape, a webhook (real HTTP server on
127.0.0.1, with a failing first answer to exercise the retry), syslog over UDP on 127.0.0.1."""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hullguard.events.documents import parse_entries
from hullguard.events.priority import Priority
from hullguard.events.ruleset import load_entries
from hullguard.model import RuntimeAlert
from hullguard.runtime.alert import drift_alert, rfc3339, rule_alert
from hullguard.runtime.fields import SYSCALL_FIELDS
from hullguard.runtime.outputs import StreamOutput, SyslogOutput, WebhookOutput, render
from tests.runtime.factory import PODMAN_ID, make_event

RULE = """
- rule: Shadow read
  desc: Someone read /etc/shadow.
  condition: evt.type = openat and fd.name = /etc/shadow
  output: "%proc.name read %fd.name (user=%user.name container=%container.name)"
  priority: WARNING
  tags: [filesystem, mitre_credential_access]
"""


def alert() -> RuntimeAlert:
    rs = load_entries(parse_entries(RULE, "r.yaml"), {"syscall": SYSCALL_FIELDS})
    (rule,) = rs.rules
    assert rule.priority is Priority.WARNING
    return rule_alert(rule, make_event())


def test_alert_is_a_runtime_finding_with_container_process_and_fields() -> None:
    a = alert()
    assert (a.id, a.severity.name, a.title) == ("Shadow read", "MEDIUM", "Someone read /etc/shadow.")
    assert a.output == "cat read /etc/shadow (user=root container=web)"
    assert a.location.container is not None and a.location.container.id == PODMAN_ID
    assert a.process is not None and (a.process.pid, a.process.parents) == (42, ("bash", "runc:[2:INIT]"))
    assert dict(a.fields) == {"evt.type": "openat", "fd.name": "/etc/shadow", "proc.name": "cat",
                              "user.name": "root", "container.name": "web"}
    assert a.time == "2023-11-14T22:13:22.000000000Z" == rfc3339(1_700_000_002_000_000_000)


def test_json_line_and_falco_json_and_table() -> None:
    a = alert()
    doc = json.loads(render(a, "json", "node1"))
    assert doc["kind"] == "runtime" and doc["id"] == "Shadow read"
    assert doc["location"]["container"] == {"id": PODMAN_ID, "name": "web", "image": "docker.io/library/nginx:1.25"}
    assert doc["process"]["parents"] == ["bash", "runc:[2:INIT]"]
    falco = json.loads(render(a, "falco-json", "node1"))
    assert falco == {
        "hostname": "node1", "output": "22:13:22.000000000: Warning cat read /etc/shadow (user=root container=web)",
        "output_fields": {"evt.type": "openat", "fd.name": "/etc/shadow", "proc.name": "cat", "user.name": "root",
                          "container.name": "web"},
        "priority": "Warning", "rule": "Shadow read", "source": "syscall",
        "tags": ["filesystem", "mitre_credential_access"], "time": "2023-11-14T22:13:22.000000000Z",
    }
    assert render(a, "table", "node1").startswith("2023-11-14T22:13:22.000000000Z MEDIUM   Shadow read [web (")
    stream = io.StringIO()
    out = StreamOutput(stream, "json")
    out.write(a)
    out.write(drift_alert(make_event(type="execve"), "/tmp/x", blocked=True))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["location"]["path"] == "/tmp/x"
    assert "denied (--block-drift)" in json.loads(lines[1])["output"]


@pytest.fixture
def http_sink() -> Iterator[tuple[str, list[bytes]]]:
    received: list[bytes] = []
    failures = [1]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            if failures[0]:
                failures[0] -= 1
                self.send_response(503)
            else:
                received.append(body)
                self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alerts", received
    server.shutdown()
    server.server_close()


def test_webhook_posts_every_alert_retrying_a_failure(http_sink: tuple[str, list[bytes]]) -> None:
    url, received = http_sink
    hook = WebhookOutput(url, fmt="falco-json")
    for _ in range(3):
        hook.write(alert())
    hook.close()  # drains the queue before returning
    assert len(received) == 3 and hook.failed == 0 and hook.dropped == 0
    assert json.loads(received[0])["rule"] == "Shadow read"


def test_webhook_gives_up_on_an_unreachable_endpoint_without_blocking() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    hook = WebhookOutput(f"http://127.0.0.1:{port}/", timeout=0.5)
    hook.write(alert())
    hook.close()
    assert hook.failed == 1


def test_syslog_over_udp() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(5)
        out = SyslogOutput(f"127.0.0.1:{server.getsockname()[1]}")
        out.write(alert())
        out.close()
        message = server.recv(65536).decode()
    assert message.startswith("<132>hullguard: {")  # local0.warning
    assert json.loads(message.split(": ", 1)[1])["rule"] == "Shadow read"
