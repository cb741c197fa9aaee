"""`hullguard worker` processes on a real Redis (Dramatiq), on both databases."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import sqlalchemy as sa

from tests.server.conftest import HULLGUARD, Running, run_server, stop, storage_args
from tests.server.test_scans import notifying_registry
from tests.support import images, services
from tests.support.servers import push

HEARTBEAT = {"HULLGUARD_QUEUE_HEARTBEAT_MS": "3000"}


@contextmanager
def worker(server: Running, broker: str, cache: Path) -> Iterator[subprocess.Popen[bytes]]:
    with (server.data_dir / "worker.log").open("ab") as out:
        process = subprocess.Popen(
            [*HULLGUARD, "worker", "--broker", broker, "--cache-dir", str(cache),
             *storage_args(server.data_dir, server.database)],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **HEARTBEAT},
        )
    try:
        yield process
    finally:
        stop(process)


def _isolated_broker(redis: services.Redis) -> str:
    # One Redis, many tests: a database number of its own keeps each test's queue apart.
    return f"redis://127.0.0.1:{redis.port}/{uuid.uuid4().int % 15 + 1}"


def test_server_queues_and_workers_scan(tmp_path: Path, database: str | None, vuln_cache: Path,
                                        redis: services.Redis, demo_image: images.BuiltImage) -> None:
    broker = _isolated_broker(redis)
    with (run_server(tmp_path / "data", database, vuln_cache, "--broker", broker, env=HEARTBEAT) as server,
          server.client() as client, notifying_registry(server) as registry):  # type: ignore[attr-defined]
            ref = push(registry, demo_image.oci_ref, "queued/app", "2")
            deadline = time.monotonic() + 30
            while not client.get("/api/v1/images").json()["images"]:
                assert time.monotonic() < deadline
                time.sleep(0.2)
            time.sleep(1)
            # No worker yet: the job waits in Redis, and the queue depth says so.
            assert "hullguard_queue_depth 1.0" in client.get("/metrics").text
            with worker(server, broker, vuln_cache), worker(server, broker, vuln_cache):
                image = client.get("/api/v1/images").json()["images"][0]
                deadline = time.monotonic() + 240
                while client.get("/api/v1/images").json()["images"][0]["status"] != "done":
                    assert time.monotonic() < deadline, (server.data_dir / "worker.log").read_text()[-3000:]
                    time.sleep(0.5)
            assert image["ref"] == ref


def test_worker_killed_mid_scan_the_job_is_retried_and_nothing_half_written(
    tmp_path: Path, database: str | None, redis: services.Redis, demo_image: images.BuiltImage
) -> None:
    broker = _isolated_broker(redis)
    cold = tmp_path / "cold-cache"  # no layer cache: the scan takes long enough to be killed in
    with (run_server(tmp_path / "data", database, cold, "--broker", broker, env=HEARTBEAT) as server,
          server.client() as client, notifying_registry(server) as registry):  # type: ignore[attr-defined]
            ref = push(registry, demo_image.oci_ref, "killed/app", "1")
            scan = client.post("/api/v1/scans", json={"target": ref}).json()
            with worker(server, broker, cold) as first:
                deadline = time.monotonic() + 120
                while client.get(f"/api/v1/scans/{scan['id']}").json()["status"] != "running":
                    assert time.monotonic() < deadline
                    time.sleep(0.02)
                first.send_signal(signal.SIGKILL)
                first.wait()
            assert client.get(f"/api/v1/scans/{scan['id']}").json()["status"] == "running"
            with worker(server, broker, cold):
                done = server.wait_scan(scan["id"])
            assert done["status"] == "done", done.get("error")
            assert done["attempts"] >= 2
    engine = sa.create_engine(_url(server))
    with engine.connect() as conn:
        reports = conn.execute(sa.text("SELECT count(*) FROM reports WHERE scan_id = :id"), {"id": scan["id"]}).scalar()
    engine.dispose()
    assert reports == 1


def _url(server: Running) -> str:
    from hullguard.server.database import database_url

    return database_url(server.data_dir, server.database)


def test_worker_refuses_a_non_redis_broker(tmp_path: Path) -> None:
    result = subprocess.run([*HULLGUARD, "worker", "--broker", "amqp://x", "--data-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "redis://" in result.stderr
    assert httpx is not None


def test_broker_away_fails_the_scan_with_503_instead_of_leaving_it_queued(tmp_path: Path) -> None:
    from tests.support.servers import free_port

    dead = f"redis://127.0.0.1:{free_port()}/0"
    with run_server(tmp_path / "data", None, tmp_path / "cache", "--broker", dead, healthy=503) as server, \
            server.client() as client:
        assert "task queue unavailable" in httpx.get(server.url + "/healthz").text
        response = client.post("/api/v1/scans", json={"target": "127.0.0.1:5000/app:1"})
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
        assert "task queue unavailable" in response.json()["detail"]
        image = client.get("/api/v1/images").json()["images"][0]
        assert image["status"] == "failed"
