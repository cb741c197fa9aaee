"""Where alerts go: JSON lines or a table line to a stream, Falco's JSON, a webhook, syslog."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import time
from typing import Protocol, TextIO

from hullguard.model import RuntimeAlert
from hullguard.report.json import finding_dict
from hullguard.runtime.alert import falco_json

WEBHOOK_QUEUE = 1000
WEBHOOK_RETRIES = 3


class Output(Protocol):
    def write(self, alert: RuntimeAlert) -> None: ...
    def close(self) -> None: ...


class StreamOutput:
    """One alert per line: `json` (the finding), `falco-json` (Falco's shape) or `table`."""

    def __init__(self, stream: TextIO, fmt: str, hostname: str | None = None) -> None:
        self._stream, self._fmt = stream, fmt
        self._hostname = hostname or socket.gethostname()

    def write(self, alert: RuntimeAlert) -> None:
        self._stream.write(render(alert, self._fmt, self._hostname) + "\n")
        self._stream.flush()

    def close(self) -> None:
        self._stream.flush()


def render(alert: RuntimeAlert, fmt: str, hostname: str) -> str:
    match fmt:
        case "json":
            return json.dumps(finding_dict(alert), sort_keys=True)
        case "falco-json":
            return json.dumps(falco_json(alert, hostname), sort_keys=True)
    c = alert.location.container
    where = "host" if c is None or c.id == "host" else f"{c.name or c.id[:12]} ({c.image})"
    return f"{alert.time} {alert.severity.name:<8} {alert.id} [{where}] {alert.output}"


class WebhookOutput:
    """HTTP POST of each alert (Falco JSON or the finding) from a background thread: a bounded
    queue (alerts beyond it are counted as dropped, never block the monitor), retries with backoff."""

    def __init__(self, url: str, fmt: str = "json", timeout: float = 5.0) -> None:
        import httpx

        self._client = httpx.Client(timeout=timeout)
        self._url, self._fmt = url, fmt
        self._hostname = socket.gethostname()
        self._queue: queue.Queue[RuntimeAlert | None] = queue.Queue(maxsize=WEBHOOK_QUEUE)
        self.dropped = 0
        self.failed = 0
        self._thread = threading.Thread(target=self._run, name="hullguard-webhook", daemon=True)
        self._thread.start()

    def write(self, alert: RuntimeAlert) -> None:
        try:
            self._queue.put_nowait(alert)
        except queue.Full:
            self.dropped += 1

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)
        self._client.close()

    def _run(self) -> None:
        import httpx

        while (alert := self._queue.get()) is not None:
            body = render(alert, "falco-json" if self._fmt == "falco-json" else "json", self._hostname)
            for attempt in range(WEBHOOK_RETRIES + 1):
                try:
                    response = self._client.post(self._url, content=body, headers={"content-type": "application/json"})
                    if response.status_code < 500:
                        break
                except (httpx.HTTPError, httpx.InvalidURL):
                    pass
                if attempt == WEBHOOK_RETRIES:
                    self.failed += 1
                else:
                    time.sleep(0.2 * 2**attempt)


_SYSLOG_SEVERITY = {"CRITICAL": 2, "HIGH": 3, "MEDIUM": 4, "LOW": 5, "UNKNOWN": 6}


class SyslogOutput:
    """RFC 3164 lines to /dev/log (or a UDP host:port), facility local0, the Falco JSON as message."""

    def __init__(self, address: str = "/dev/log") -> None:
        if address.startswith("/"):
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._sock.connect(address)
        else:
            host, _, port = address.rpartition(":")
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self._sock.connect((host or "127.0.0.1", int(port or 514)))
        self._hostname = socket.gethostname()

    def write(self, alert: RuntimeAlert) -> None:
        pri = 16 * 8 + _SYSLOG_SEVERITY.get(alert.severity.name, 6)
        message = f"<{pri}>hullguard: {render(alert, 'falco-json', self._hostname)}"
        with contextlib.suppress(OSError):
            self._sock.send(message.encode()[:8192])

    def close(self) -> None:
        self._sock.close()
