"""Faults: a blob that fails its digest, registries that are down, polling, the database restarted under load."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from tests.server.conftest import run_server
from tests.support import images, services
from tests.support.servers import push, run_registry


def _wait_images(client: httpx.Client, count: int, timeout: float = 240) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    while True:
        listed: list[dict[str, object]] = client.get("/api/v1/images").json()["images"]
        if len(listed) >= count and all(i["status"] in ("done", "failed") for i in listed):
            return listed
        assert time.monotonic() < deadline, listed
        time.sleep(0.5)


def test_blob_failing_its_digest_fails_the_scan_and_stores_nothing(
    tmp_path: Path, demo_image: images.BuiltImage
) -> None:
    with run_registry() as registry, run_server(tmp_path / "data", None, tmp_path / "cache") as server:
        ref = push(registry, demo_image.oci_ref, "tampered/app", "1")
        blobs = sorted((registry.root / "data").rglob("blobs/sha256/*/*/data"), key=lambda p: p.stat().st_size)
        biggest = blobs[-1]  # a layer
        data = bytearray(biggest.read_bytes())
        data[len(data) // 2] ^= 0xFF
        biggest.write_bytes(bytes(data))
        with server.client() as client:
            scan = client.post("/api/v1/scans", json={"target": ref}).json()
            done = server.wait_scan(scan["id"])
            assert done["status"] == "failed"
            assert "digest" in done["error"] and biggest.parent.name in done["error"]
            assert "report" not in done
            image = client.get("/api/v1/images").json()["images"][0]
            assert image["status"] == "failed" and image["digest"] is None
            assert client.get(f"/api/v1/images/{image['id']}/report").status_code == 404


def test_polling_finds_new_images_and_survives_the_registry_going_down(
    tmp_path: Path, demo_image: images.BuiltImage, vuln_cache: Path
) -> None:
    with run_registry() as registry:
        ref = push(registry, demo_image.oci_ref, "polled/app", "7")
        push(registry, demo_image.oci_ref, "polled/app", "8")
        with run_server(tmp_path / "data", None, vuln_cache, "--poll-registry", registry.host,
                        "--poll-interval", "1") as server, server.client() as client:
            listed = _wait_images(client, 2)
            assert sorted(str(i["ref"]) for i in listed) == [ref, ref.replace(":7", ":8")]
            assert all(i["status"] == "done" for i in listed)
            time.sleep(2)  # more polls: the same digests are not scanned again
            assert 'hullguard_scans_total{result="done"} 2.0' in client.get("/metrics").text
    # A registry that is down: the server keeps polling (and failing to), and keeps serving.
    with run_server(tmp_path / "data2", None, vuln_cache, "--poll-registry", "127.0.0.1:9",
                    "--poll-interval", "0.5") as server, server.client() as client:
        time.sleep(3)
        assert client.get("/api/v1/images").json() == {"images": [], "total": 0}
        assert httpx.get(server.url + "/healthz").status_code == 200
        assert "polling 127.0.0.1:9 failed" in server.log.read_text()


def test_database_restarted_under_load_loses_nothing(
    tmp_path: Path, postgres: services.Postgres, demo_image: images.BuiltImage, vuln_cache: Path
) -> None:
    database = postgres.new_database(f"hg_restart_{int(time.time())}")
    with run_registry() as registry, run_server(tmp_path / "data", database, vuln_cache, "--workers", "2") as server:
        refs = [push(registry, demo_image.oci_ref, "load/app", str(n)) for n in range(6)]
        accepted: list[str] = []
        refused = 0
        with server.client() as client:
            for n, ref in enumerate(refs):
                if n == 3:  # down for three seconds while scans run and requests arrive
                    postgres.pg_ctl("-m", "fast", "stop")
                    restart = threading.Timer(3, postgres.start)
                    restart.start()
                for _ in range(40):  # a client retries a 503 (the database was away) as told
                    response = client.post("/api/v1/scans", json={"target": ref})
                    if response.status_code == 202:
                        accepted.append(response.json()["id"])
                        break
                    assert response.status_code == 503, response.text
                    refused += 1
                    time.sleep(float(response.headers.get("retry-after", "1")))
            results = [server.wait_scan(scan_id) for scan_id in accepted]
        restart.join()
    assert refused > 0, "the database was never seen away"
    assert len(accepted) == len(refs)
    assert [r["status"] for r in results] == ["done"] * len(refs), [r.get("error") for r in results]
    assert len({r["report"]["artifact"]["digest"] for r in results}) == 1
