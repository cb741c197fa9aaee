"""Inventory benchmark: hullguard against Trivy on the same image, in the same run.

    python bench/bench_inventory.py [IMAGE.tar] [--runs N] [--trivy PATH] [--binaries]

Each tool writes a CycloneDX inventory of the image (no scanners, offline; Trivy gets a
fresh cache dir each run so no layer is served from cache). Wall time is the median of
N runs; peak memory is the largest max RSS of the child process over the runs, read from
wait4(2), as is CPU time (user + system over all threads: Trivy uses several). Runs
alternate between the tools so that machine load hits both alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_trivy_inventory import (
    REPO,
    binaries_image,
    demo_image,
    hullguard_command,
    trivy_command,
    trivy_path,
)


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, all threads) and peak RSS in KiB of one run."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{cmd[0]} exited {child.returncode}: {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--trivy")
    parser.add_argument("--binaries", action="store_true", help="the image with Go and Rust binaries")
    parser.add_argument(
        "--format",
        choices=("cyclonedx", "json"),
        default="cyclonedx",
        help="the report both tools write (json: each tool's own JSON with all packages)",
    )
    parser.add_argument("--src", type=Path, default=REPO / "src", help="hullguard source tree to run")
    args = parser.parse_args(argv)
    image = args.image or (binaries_image() if args.binaries else demo_image())
    trivy = trivy_path(args.trivy)
    env = {**os.environ, "PYTHONPATH": str(args.src)}
    # Byte-compile first, as `pip install` does: with PYTHONDONTWRITEBYTECODE set (CI, this
    # sandbox) every run would otherwise compile all of hullguard's modules from source.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(args.src)], check=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    times: dict[str, list[float]] = {"hullguard": [], "trivy": []}
    cpu: dict[str, list[float]] = {"hullguard": [], "trivy": []}
    peaks: dict[str, int] = {"hullguard": 0, "trivy": 0}
    with tempfile.TemporaryDirectory(prefix="hg-bench-") as tmp:
        for run in range(args.runs):
            out = Path(tmp) / f"out-{run}.json"
            for tool in ("hullguard", "trivy") if run % 2 == 0 else ("trivy", "hullguard"):
                if tool == "trivy":
                    wall, used, rss = measure(
                        trivy_command(trivy, image, out, Path(tmp) / f"cache-{run}", args.format)
                    )
                else:
                    wall, used, rss = measure(hullguard_command(image, out, args.format), env)
                times[tool].append(wall)
                cpu[tool].append(used)
                peaks[tool] = max(peaks[tool], rss)
    size = image.stat().st_size / (1 << 20)
    print(f"image: {image} ({size:.0f} MiB), {args.runs} runs each, --format {args.format}")
    print(f"load average before: {load}")
    print(f"{'tool':<11}{'median s':>10}{'min s':>8}{'max s':>8}{'CPU s':>8}{'peak RSS MiB':>14}")
    for tool in ("hullguard", "trivy"):
        t = times[tool]
        print(
            f"{tool:<11}{statistics.median(t):>10.2f}{min(t):>8.2f}{max(t):>8.2f}"
            f"{statistics.median(cpu[tool]):>8.2f}{peaks[tool] / 1024:>14.1f}"
        )
    speed = statistics.median(times["hullguard"]) / statistics.median(times["trivy"])
    memory = peaks["hullguard"] / peaks["trivy"]
    print(f"wall time hullguard/trivy: {speed:.2f}  (goal <= 0.8)")
    cpu_ratio = statistics.median(cpu["hullguard"]) / statistics.median(cpu["trivy"])
    print(f"CPU time  hullguard/trivy: {cpu_ratio:.2f}")
    print(f"peak RSS  hullguard/trivy: {memory:.2f}  (goal <= 2)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
