"""np-guard netpol-analyzer's own connectivity-list cases (../shared/conformance/netpol-analyzer):
every extracted (input, format) run, compared exactly. Not all pass yet (AdminNetworkPolicy,
BaselineAdminNetworkPolicy, ingress-controller, exposure and multi-network runs are missing);
docs/notes/cluster.md has the counts. This test fails when a count drops below that record."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from hullguard.cluster.load import load_path
from hullguard.cluster.netpol.analyze import analyze
from hullguard.cluster.netpol.output import render

PLAIN_PASSING = {"txt": 104, "json": 42, "csv": 42, "md": 42, "dot": 42}
"""Exact matches among the plain runs (no exposure, focus or multiple networks) when last measured."""


def _plain(run: dict[str, object]) -> bool:
    return not (run["exposure_analysis"] or run["focus_workloads"] or run["focus_conn"]
                or run["focus_direction"] or run["multiple_networks_enabled"])  # fmt: skip


def test_plain_runs_match_exactly(shared_dir: Path) -> None:
    root = shared_dir / "conformance" / "netpol-analyzer"
    runs = json.loads((root / "connlist_cases.json").read_text())["runs"]
    passed: Counter[str] = Counter()
    cache: dict[str, object] = {}
    for run in runs:
        if not run["expected_output_extracted"] or not _plain(run) or run["format"] not in PLAIN_PASSING:
            continue
        if run["input_dir"] not in cache:
            try:
                cache[run["input_dir"]] = analyze(load_path(root / run["input_dir"]))
            except Exception as e:
                cache[run["input_dir"]] = e
        result = cache[run["input_dir"]]
        if isinstance(result, Exception):
            continue
        expected = (root / run["expected_output"]).read_text()
        if render(result, run["format"]).strip() == expected.strip():  # type: ignore[arg-type]
            passed[run["format"]] += 1
    for fmt, floor in PLAIN_PASSING.items():
        assert passed[fmt] >= floor, f"{fmt}: {passed[fmt]} exact matches, {floor} before"
