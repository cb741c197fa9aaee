"""Disagreements with Trivy and Checkov on a corpus, for every rule that names a peer id.

    .venv/bin/python bench/compare_peers.py OUTDIR [--corpus DIR --hadolint PATH]

OUTDIR comes from bench/bench_config.py. With --hadolint, hadolint is run on every Dockerfile
that hullguard read under --corpus (hadolint takes one file at a time) and compared too.

Compares, per rule, the set of files each tool flags (findings of a peer id in a file vs ours)
and prints the counts and the files only one side flags.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from collections import defaultdict
from pathlib import Path

from hullguard.rules import load_rules


def hullguard_files(out: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for f in json.loads((out / "hullguard.json").read_text())["findings"]:
        found[f["id"]].add(f["location"]["path"])
    return found


def trivy_files(out: Path, root: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for result in json.loads((out / "trivy.json").read_text()).get("Results") or []:
        for m in result.get("Misconfigurations") or []:
            if m.get("Status") == "FAIL":
                found[m["AVDID"]].add(result["Target"].removeprefix(root))
    return found


def checkov_files(out: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    data = json.loads((out / "checkov" / "results_json.json").read_text())
    for block in data if isinstance(data, list) else [data]:
        for c in block.get("results", {}).get("failed_checks", []):
            found[c["check_id"]].add(c["file_path"].lstrip("/"))
    return found


def hadolint_files(hadolint: Path, corpus: Path, dockerfiles: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted(dockerfiles):
        done = subprocess.run(
            [str(hadolint), "-f", "json", "--no-fail", path],
            cwd=corpus,
            capture_output=True,
            text=True,
            check=False,
        )
        for item in json.loads(done.stdout or "[]"):
            found[item["code"]].add(path)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--hadolint", type=Path)
    args = parser.parse_args()
    out = args.out
    ours = hullguard_files(out)
    peers = {"trivy": trivy_files(out, ""), "checkov": checkov_files(out)}
    if args.hadolint and args.corpus:
        dockerfiles = {
            p
            for rule in load_rules()
            if rule.meta.target.value == "dockerfile"
            for p in ours.get(rule.meta.id, ())
        }
        dockerfiles |= {str(p.relative_to(args.corpus)) for p in args.corpus.rglob("Dockerfile")}
        peers["hadolint"] = hadolint_files(args.hadolint, args.corpus, dockerfiles)
    for rule in load_rules():
        for peer in ("hadolint", "trivy", "checkov"):
            if peer not in peers:
                continue
            pid = getattr(rule.meta.peers, peer)
            if not pid:
                continue
            mine, theirs = ours.get(rule.meta.id, set()), peers[peer].get(pid, set())
            only_us, only_them = sorted(mine - theirs), sorted(theirs - mine)
            print(
                f"{rule.meta.id:<11} {peer:<8} {pid:<13} both {len(mine & theirs):>3}  only us {len(only_us):>3}  only {peer} {len(only_them):>3}"
            )
            for path in only_us[:4]:
                print(f"      only us:   {path}")
            for path in only_them[:4]:
                print(f"      only peer: {path}")


if __name__ == "__main__":
    main()
