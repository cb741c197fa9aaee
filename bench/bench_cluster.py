"""Time `k8s scan` (no images), `k8s who-can` and `k8s netpol` on a generated cluster dump.

    python bench/bench_cluster.py [DUMP.json]     # generates 5,000 pods / 500 policies / 2,000 RBAC objects if absent
Targets (issue 11): scan < 10 s, who-can < 1 s, netpol < 30 s.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HULLGUARD = Path(sys.executable).parent / "hullguard"
RUNS = (
    ("scan", ["k8s", "scan", "--format", "json", "-q"], 10.0),
    ("who-can", ["k8s", "who-can", "get", "secrets", "-n", "team-03"], 1.0),
    ("netpol", ["k8s", "netpol"], 30.0),
    ("exposure", ["k8s", "netpol", "--exposure"], 30.0),
)


def main() -> None:
    dump = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(tempfile.gettempdir()) / "hullguard-cluster-bench.json"
    )
    if not dump.exists():
        subprocess.run([sys.executable, str(HERE / "cluster_gen.py"), str(dump)], check=True)
    print(f"dump: {dump} ({dump.stat().st_size / 1e6:.1f} MB)")
    for name, argv, target in RUNS:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([str(HULLGUARD), *argv, str(dump)], capture_output=True, text=True)
        took = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        verdict = (
            "ok"
            if took < target and done.returncode == 0
            else "OVER"
            if done.returncode == 0
            else f"exit {done.returncode}"
        )
        print(
            f"{name:8} {took:6.2f} s wall, {cpu:5.2f} s CPU (target < {target:.0f} s) {verdict}"
            f"  {len(done.stdout.splitlines())} lines"
        )


if __name__ == "__main__":
    main()
