"""GET /api/v1/images latency with 10,000 stored images (issue 15: p99 under 50 ms), measured with
wrk against a real `hullguard server` (uvicorn), SQLite by default or --database postgresql://...

    .venv/bin/python bench/server_images.py [--images 10000] [--connections 4] [--seconds 15]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.server.conftest import HULLGUARD, make_token, stop, storage_args, wait_http  # noqa: E402
from tests.support.servers import free_port  # noqa: E402

from hullguard.server.database import database_url, migrate, open_engine, sessions  # noqa: E402
from hullguard.server.store import add_report, image_for  # noqa: E402

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")


def fill(url: str, count: int) -> None:
    engine = open_engine(url)
    migrate(engine)
    rng = random.Random(15)
    with sessions(engine)() as session:
        for n in range(count):
            findings = [{"kind": "vulnerability", "id": f"CVE-2024-{k}", "severity": rng.choice(SEVERITIES),
                         "package": {"name": f"p{k}", "version": "1"}, "location": {}} for k in range(rng.randint(0, 40))]
            doc = {"artifact": {"name": f"r/app{n}", "digest": f"sha256:{n:064x}"}, "findings": findings, "packages": []}
            add_report(session, image_for(session, f"registry.example/team{n % 50}/app{n}:1"), doc, "scan", None)
            if n % 500 == 499:
                session.commit()
        session.commit()
    engine.dispose()


def in_process(url: str, calls: int = 2000) -> tuple[float, float]:
    """The handler's own work (query + serialisation), without HTTP or scheduling: p50, p99 in ms."""
    import json
    import statistics

    from hullguard.server import queries

    engine = open_engine(url)
    times = []
    with sessions(engine)() as session:
        for _ in range(calls):
            start = time.perf_counter()
            images, total = queries.list_images(session, 100, 0)
            json.dumps({"images": [queries.image_dict(i) for i in images], "total": total})
            times.append((time.perf_counter() - start) * 1000)
            session.expunge_all()
    engine.dispose()
    cuts = statistics.quantiles(times, n=100)
    return cuts[49], cuts[98]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--database")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--path", default="/api/v1/images")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    data = Path(tempfile.mkdtemp(prefix="hg-bench-images-"))
    start = time.perf_counter()
    fill(database_url(data, args.database), args.images)
    print(f"stored {args.images} images in {time.perf_counter() - start:.1f} s")
    p50, p99 = in_process(database_url(data, args.database))
    print(f"in process (query + JSON of 100 images, no HTTP): p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    token = make_token(data, args.database, "viewer")
    port = free_port()
    log = data / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*HULLGUARD, "server", "--listen", f"127.0.0.1:{port}",
                                    *storage_args(data, args.database)], stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", process, log)
        result = subprocess.run(
            ["wrk", "-t", str(min(2, args.connections)), "-c", str(args.connections), "-d", f"{args.seconds}s", "--latency",
             "-H", f"Authorization: Bearer {token}", f"http://127.0.0.1:{port}{args.path}"],
            capture_output=True, text=True, check=True,
        )
    finally:
        stop(process)
        shutil.rmtree(data, ignore_errors=True)
    print(result.stdout)
    p99 = re.search(r"99%\s+(\S+)", result.stdout)
    print(f"GET {args.path} with {args.images} images, {args.connections} connections: p99 "
          f"{p99.group(1) if p99 else '?'} (target < 50 ms)")


if __name__ == "__main__":
    main()
