"""Scans through the service: POST /scans and registry push notifications, on both databases.
The service's report is the CLI's JSON report, byte for byte, on the same vulnerability DB."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require
from tests.server.conftest import HULLGUARD, Running
from tests.support import images
from tests.support.servers import RegistryServer, missing_registry_tools, push, run_registry


def cli_report(target: str, cache: Path) -> dict[str, object]:
    result = subprocess.run([*HULLGUARD, "image", target, "--format", "json", "--insecure", "--quiet",
                             "--cache-dir", str(cache)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def notifying_registry(server: Running) -> object:
    return run_registry(auth_lines=[
        "notifications:",
        "  endpoints:",
        "    - name: hullguard",
        f"      url: {server.url}/api/v1/registry-events",
        "      headers:",
        f"        Authorization: [Bearer {server.admin}]",
        "      timeout: 5s",
        "      threshold: 3",
        "      backoff: 1s",
    ])


@pytest.fixture
def registry(server: Running) -> Iterator[RegistryServer]:
    missing = missing_registry_tools()
    require(not missing, f"registry tools missing: {', '.join(missing)}")
    with notifying_registry(server) as reg:  # type: ignore[attr-defined]
        yield reg


def test_pushed_image_is_scanned_and_matches_the_cli(
    server: Running, registry: RegistryServer, demo_image: images.BuiltImage, vuln_cache: Path
) -> None:
    ref = push(registry, demo_image.oci_ref, "demo/app", "1.0")
    with server.client() as client:
        deadline = time.monotonic() + 60
        while not (listed := client.get("/api/v1/images").json()["images"]) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert [i["ref"] for i in listed] == [ref], "the push notification did not reach the service"
        # Notified scans go by digest: what was pushed, even if the tag moves meanwhile.
        scans = client.post("/api/v1/scans", json={"target": ref}).json()
        done = server.wait_scan(scans["id"])
        assert done["status"] == "done", done.get("error")
        assert done["report"] == cli_report(ref, vuln_cache)
        deadline = time.monotonic() + 240
        while (image := client.get("/api/v1/images").json()["images"][0])["status"] != "done":
            assert time.monotonic() < deadline, "notified scan did not finish"
            time.sleep(0.5)
        assert image["digest"].startswith("sha256:")
        exact = client.get("/api/v1/images", params={"ref": ref}).json()
        assert exact["total"] == 1 and exact["images"][0]["id"] == image["id"]
        assert client.get("/api/v1/images", params={"ref": ref + "x"}).json()["total"] == 0
        assert image["counts"]["HIGH"] + image["counts"]["CRITICAL"] > 0
        stored = client.get(f"/api/v1/images/{image['id']}/report").json()
        assert stored["artifact"]["digest"] == image["digest"]
        assert {f["id"] for f in stored["findings"]} == {f["id"] for f in done["report"]["findings"]}
        history = client.get(f"/api/v1/images/{image['id']}/reports").json()["reports"]
        assert len(history) == 2 and {r["reason"] for r in history} == {"scan"}
        metrics = client.get("/metrics").text
        assert 'hullguard_scans_total{result="done"} 2.0' in metrics
        assert "hullguard_queue_depth 0.0" in metrics
        assert 'hullguard_scan_duration_seconds_count 2.0' in metrics
        assert f'hullguard_findings{{severity="HIGH"}} {float(image["counts"]["HIGH"])}' in metrics
        alerts = client.get("/api/v1/alerts").json()["alerts"]
        assert alerts and all(a["severity"] in ("HIGH", "CRITICAL") for a in alerts)
        assert len({a["title"] for a in alerts}) == len(alerts), "each new finding alerts once"


def test_unreachable_registry_fails_the_scan_with_a_reason(server: Running) -> None:
    from tests.support.servers import free_port

    with server.client() as client:
        scan = client.post("/api/v1/scans", json={"target": f"127.0.0.1:{free_port()}/gone/app:1"}).json()
        done = server.wait_scan(scan["id"], timeout=120)
    assert done["status"] == "failed"
    assert "127.0.0.1" in done["error"]
