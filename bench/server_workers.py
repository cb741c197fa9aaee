"""Scan throughput with one `hullguard worker` and with two (issue 15: report the ratio), on a
real Redis and the demo image pushed under N tags to a real docker-registry, layer cache off so
that every scan reads its layers.

    .venv/bin/python bench/server_workers.py [--scans 8] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


from tests.server.conftest import HULLGUARD, run_server, stop, storage_args  # noqa: E402
from tests.support import images, services  # noqa: E402
from tests.support.servers import push, run_registry  # noqa: E402


def run(count: int, scans: int, refs: list[str], redis: services.Redis, cache: Path, db: int) -> float:
    broker = f"redis://127.0.0.1:{redis.port}/{db}"
    data = Path(tempfile.mkdtemp(prefix="hg-bench-workers-"))
    with run_server(data, None, cache, "--broker", broker) as server, server.client() as client:
        workers = [subprocess.Popen([*HULLGUARD, "worker", "--broker", broker, "--cache-dir", str(cache), "--no-cache",
                                     *storage_args(data, None)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    env=dict(os.environ))
                   for _ in range(count)]
        try:
            time.sleep(3)  # workers up and listening
            start = time.perf_counter()
            ids = [client.post("/api/v1/scans", json={"target": refs[n % len(refs)]}).json()["id"] for n in range(scans)]
            for scan_id in ids:
                assert server.wait_scan(scan_id, timeout=1200)["status"] == "done"
            return time.perf_counter() - start
        finally:
            for w in workers:
                stop(w)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=8)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    built = images.build(images.demo_recipe())
    cache = Path(tempfile.mkdtemp(prefix="hg-bench-cache-"))
    results: dict[int, float] = {}
    with run_registry() as registry, services.run_redis() as redis:
        refs = [push(registry, built.oci_ref, "bench/app", str(n)) for n in range(args.scans)]
        for db, count in enumerate(int(c) for c in args.workers.split(",")):
            results[count] = run(count, args.scans, refs, redis, cache, db + 1)
            print(f"{count} worker(s): {args.scans} scans in {results[count]:.1f} s "
                  f"({args.scans / results[count] * 60:.1f} scans/min)")
    if 1 in results and 2 in results:
        print(f"throughput ratio two workers / one: {results[1] / results[2]:.2f}x on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
