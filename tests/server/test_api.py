"""The API against a real `hullguard server` process, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.server.conftest import Running


def test_every_api_route_needs_a_token(server: Running) -> None:
    for method, path in (("GET", "/api/v1/images"), ("POST", "/api/v1/scans"), ("GET", "/metrics"),
                         ("POST", "/api/v1/registry-events"), ("GET", "/api/v1/scans/x")):
        response = httpx.request(method, server.url + path, timeout=10)
        assert response.status_code == 401, path
        assert "Bearer" in response.json()["detail"]
    bad = httpx.get(server.url + "/api/v1/images", headers={"Authorization": "Bearer hgt_nope"}, timeout=10)
    assert bad.status_code == 401
    assert httpx.get(server.url + "/healthz", timeout=10).text == "ok\n"


def test_viewer_reads_but_cannot_write(server: Running) -> None:
    with server.client(server.viewer) as client:
        assert client.get("/api/v1/images").json() == {"images": [], "total": 0}
        response = client.post("/api/v1/scans", json={"target": "127.0.0.1:1/x:1"})
        assert response.status_code == 403
        assert "viewer" in response.json()["detail"]


def test_tokens_are_stored_hashed(server: Running) -> None:
    import sqlalchemy as sa

    from hullguard.server.database import database_url, open_engine

    engine = open_engine(database_url(server.data_dir, server.database))
    with engine.connect() as conn:
        digests = [row[0] for row in conn.execute(sa.text("SELECT digest FROM tokens"))]
    engine.dispose()
    assert len(digests) == 2
    assert server.admin not in digests and all(len(d) == 64 for d in digests)


def test_malformed_requests_get_4xx_with_a_reason(server: Running) -> None:
    with server.client() as client:
        assert client.post("/api/v1/scans", json={}).status_code == 422
        local = client.post("/api/v1/scans", json={"target": "/etc"})
        assert local.status_code == 400 and "registry" in local.json()["detail"]
        archive = client.post("/api/v1/scans", json={"target": "docker-archive:/tmp/x.tar"})
        assert archive.status_code == 400
        notjson = client.post("/api/v1/registry-events", content=b"{nope")
        assert notjson.status_code == 400 and "not JSON" in notjson.json()["detail"]
        envelope = client.post("/api/v1/registry-events", json={"events": [{"action": "push", "target": {
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "md5:1", "repository": "a"}}]})
        assert envelope.status_code == 400 and "events[0].target.digest" in envelope.json()["detail"]
        assert client.get("/api/v1/scans/nope").status_code == 404
        assert client.get("/api/v1/images/99/report").status_code == 404
        runtime = client.post("/api/v1/runtime-alerts", json={"severity": "HIGH"})
        assert runtime.status_code == 400 and "alert.id" in runtime.json()["detail"]


def test_openapi_spec_is_served(server: Running) -> None:
    spec = httpx.get(server.url + "/openapi.json", timeout=10).json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/scans", "/api/v1/scans/{scan_id}", "/api/v1/images", "/api/v1/registry-events"} <= set(spec["paths"])


def test_bad_command_lines_exit_2_without_echoing_secrets(tmp_path: Path) -> None:
    import subprocess

    from tests.server.conftest import HULLGUARD

    for args, says in (
        (["--listen", "nowhere"], "--listen"),
        (["--database", "not a url :secret-pw@"], "--database"),
        (["--database", "mysql://u:secret-pw@h/db"], "not supported"),
        (["--alert-webhook", "x=ftp://h"], "--alert-webhook"),
    ):
        result = subprocess.run([*HULLGUARD, "server", "--data-dir", str(tmp_path), *args],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, (args, result.stderr)
        assert says in result.stderr and "secret-pw" not in result.stderr and "Traceback" not in result.stderr
