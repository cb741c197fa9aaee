"""The dashboard in headless Chromium at 1280 px and at a phone's width, with screenshots.

Screenshots land in HULLGUARD_SCREENSHOTS (default: the test's tmp dir) to be looked at."""

from __future__ import annotations

import html
import os
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import require
from tests.server.conftest import Running, run_server
from tests.server.test_scans import notifying_registry
from tests.support import browser, images
from tests.support.servers import push

RUNTIME_ALERT = {
    "kind": "runtime", "id": "Terminal shell in container", "severity": "HIGH", "title": "Terminal shell in container",
    "output": "A shell was spawned in a container with an attached terminal (user=root bash)",
    "time": "2026-12-06T10:00:00Z", "container": {"id": "4f1c2a", "name": "web", "image": "IMAGE"},
    "workload": {"namespace": "shop", "kind": "Deployment", "name": "web"},
}
DECISION = {"uid": "a1b2c3", "allowed": False, "reason": "image has 1 CRITICAL vulnerability (policy: no-critical)",
            "object": {"kind": "Deployment", "namespace": "shop", "name": "web"}, "images": ["IMAGE"]}


def _signed_in(server: Running, path: str, where: Path) -> str:
    """A local page that signs in with the viewer token and goes on to `path` (Chromium sends no headers)."""
    page = where / f"login-{abs(hash(path))}.html"
    page.write_text(
        f'<form method="post" action="{server.url}/login"><input name="token" value="{server.viewer}">'
        f'<input name="next" value="{html.escape(path)}"></form><script>document.forms[0].submit()</script>'
    )
    return page.as_uri()


def test_dashboard_pages_at_desktop_and_phone_width(tmp_path: Path, demo_image: images.BuiltImage) -> None:
    require(browser.chromium() is not None, "chromium is not installed (run scripts/setup)")
    shots = Path(os.environ.get("HULLGUARD_SCREENSHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    ignores = tmp_path / "ignore.yaml"
    ignores.write_text("vulnerabilities:\n  - id: CVE-2011-4116\n    package: perl-base\n"
                       "    reason: not reachable, no untrusted temp dirs\n    owner: platform-team\n"
                       "    expires: 2027-06-30\n")
    with run_server(tmp_path / "data", None, tmp_path / "cache", "--ignorefile", str(ignores)) as server, \
            server.client() as client:
        with notifying_registry(server) as registry:  # type: ignore[attr-defined]
            ref = push(registry, demo_image.oci_ref, "shop/web", "1.4")
            deadline = time.monotonic() + 240
            while not (listed := client.get("/api/v1/images").json()["images"]) or listed[0]["status"] != "done":
                assert time.monotonic() < deadline
                time.sleep(0.5)
        alert = {**RUNTIME_ALERT, "container": {**RUNTIME_ALERT["container"], "image": ref}}  # type: ignore[dict-item]
        assert client.post("/api/v1/runtime-alerts", json=alert).status_code == 201
        assert client.post("/api/v1/runtime-alerts", json=alert).json()["duplicate"] is True
        decision = {**DECISION, "images": [ref, "registry.example/sidecar:2"]}
        assert client.post("/api/v1/admission-decisions", json=decision).status_code == 201
        assert client.post("/api/v1/admission-decisions", json=decision).json()["duplicate"] is True
        image_id = listed[0]["id"]
        assert httpx.get(server.url + "/", follow_redirects=False).status_code == 303, "pages need a sign-in"
        pages = {"index": "/", "image": f"/images/{image_id}", "alerts": "/alerts", "policies": "/policies",
                 "timeline": f"/timeline?image={ref}"}
        for name, path in pages.items():
            url = _signed_in(server, path, tmp_path)
            for width in (1280, 390):
                shot = browser.screenshot(url, shots / f"{name}-{width}.png", width)
                assert shot.stat().st_size > 10_000, f"{name} at {width} px looks empty"
        index = browser.dom(_signed_in(server, "/", tmp_path))
        assert ref in index and "sev CRITICAL" in index
        page = browser.dom(_signed_in(server, f"/images/{image_id}", tmp_path))
        for expected in ("Fixes available", "Findings by layer", "minimist", "Terminal shell in container",
                         "admission denied", "Incident timeline"):
            assert expected in page, expected
        assert "CVE-2011-4116" not in page, "the ignore entry applies to the service's scans"
        policies = browser.dom(_signed_in(server, "/policies", tmp_path))
        for expected in ("CVE-2011-4116", "platform-team", "2027-06-30", "not reachable", "Terminal shell in container"):
            assert expected in policies, expected
        markdown = client.get(f"/api/v1/images/{image_id}/timeline", params={"format": "markdown"}).text
        assert markdown.startswith(f"# Incident timeline: {ref}")
        assert "| runtime | HIGH | Terminal shell in container" in markdown and "| scan |" in markdown
        workload = httpx.get(server.url + "/timeline.md", params={"workload": "shop/Deployment/web"},
                             cookies={"hullguard_token": server.viewer}).text
        assert "admission denied" in workload and "Terminal shell" in workload


@pytest.mark.parametrize("next_path", ["//evil.example/", "https://evil.example/"])
def test_login_never_redirects_off_site(tmp_path: Path, next_path: str) -> None:
    with run_server(tmp_path / "data", None, tmp_path / "cache") as server:
        response = httpx.post(server.url + "/login", data={"token": server.viewer, "next": next_path},
                              follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
