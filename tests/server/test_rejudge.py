"""Re-judgement after a scheduled `db update`, and alert delivery to real webhook receivers."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import run_server
from tests.server.test_scans import notifying_registry
from tests.support import images
from tests.support.servers import push

ADVISORY = {
    "schema_version": "1.6.0",
    "id": "HGTEST-2026-0001",
    "modified": "2026-12-01T00:00:00Z",
    "summary": "a test advisory published after the image was scanned",
    "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
                  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99.0"}]}]}],
    "database_specific": {"severity": "CRITICAL"},
}


class Receiver:
    """A webhook endpoint that fails its first `failures` requests with 500, then records bodies."""

    def __init__(self, failures: int) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.failures = failures
        self.requests = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.requests += 1
                if receiver.requests <= receiver.failures:
                    self.send_response(500)
                else:
                    receiver.bodies.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receivers() -> Iterator[dict[str, Receiver]]:
    made = {"json": Receiver(failures=1), "slack": Receiver(0), "teams": Receiver(0)}
    yield made
    for r in made.values():
        r.server.shutdown()
        r.server.server_close()


def test_new_advisory_rejudges_stored_inventory_and_alerts(
    tmp_path: Path, database: str | None, demo_image: images.BuiltImage, receivers: dict[str, Receiver]
) -> None:
    source = tmp_path / "osv"
    source.mkdir()
    hooks = [f"--alert-webhook={style}={r.url},style={style},min=CRITICAL" for style, r in receivers.items()]
    cache = tmp_path / "cache"
    with run_server(tmp_path / "data", database, cache, "--db-update-interval", "2", "--db-source", str(source),
                    *hooks) as server, server.client() as client:
        with notifying_registry(server) as registry:  # type: ignore[attr-defined]
            push(registry, demo_image.oci_ref, "rejudge/app", "1")
            deadline = time.monotonic() + 240
            while not (listed := client.get("/api/v1/images").json()["images"]) or listed[0]["status"] != "done":
                assert time.monotonic() < deadline
                time.sleep(0.5)
        # The registry is gone: re-judgement reads only stored packages.
        image = listed[0]
        before = client.get(f"/api/v1/images/{image['id']}/report").json()
        assert "HGTEST-2026-0001" not in {f["id"] for f in before["findings"]}
        (source / "HGTEST-2026-0001.json").write_text(json.dumps(ADVISORY))
        deadline = time.monotonic() + 60
        while len(history := client.get(f"/api/v1/images/{image['id']}/reports").json()["reports"]) < 2:
            assert time.monotonic() < deadline, "no re-judgement after the update"
            time.sleep(0.5)
        assert history[0]["reason"] == "rejudge"
        assert history[0]["counts"]["CRITICAL"] == before_critical(before) + 1
        after = client.get(f"/api/v1/images/{image['id']}/report").json()
        new = [f for f in after["findings"] if f["id"] == "HGTEST-2026-0001"]
        assert len(new) == 1 and new[0]["package"]["name"] == "requests" and new[0]["fixed_version"] == "99.0"
        assert after["packages"] == before["packages"]
        time.sleep(5)  # more scheduled updates: the same advisory raises no second alert
        alerts = [a for a in client.get("/api/v1/alerts").json()["alerts"] if "HGTEST-2026-0001" in a["title"]]
        assert len(alerts) == 1 and "new advisory" in alerts[0]["title"]
        deadline = time.monotonic() + 30
        while not all(any("HGTEST" in json.dumps(b) for b in r.bodies) for r in receivers.values()):
            assert time.monotonic() < deadline, {k: r.requests for k, r in receivers.items()}
            time.sleep(0.3)
    generic = next(b for b in receivers["json"].bodies if "HGTEST" in b["title"])
    assert generic["severity"] == "CRITICAL" and generic["detail"]["finding"]["id"] == "HGTEST-2026-0001"
    assert receivers["json"].requests >= 2, "the first delivery failed and was retried"
    slack = next(b for b in receivers["slack"].bodies if "HGTEST" in b["text"])
    assert slack["blocks"][0]["type"] == "header"
    teams = next(b for b in receivers["teams"].bodies if "HGTEST" in b["summary"])
    assert teams["@type"] == "MessageCard" and teams["themeColor"] == "B71C1C"
    for r in receivers.values():
        titles = [json.dumps(b) for b in r.bodies]
        assert sum("HGTEST-2026-0001" in t for t in titles) == 1, "deduplicated"


def before_critical(report: dict[str, Any]) -> int:
    return sum(1 for f in report["findings"] if f["severity"] == "CRITICAL")
