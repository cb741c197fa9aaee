"""np-guard netpol-analyzer's own connectivity-list cases (../shared/conformance/netpol-analyzer):
every extracted (input, format, options) run, compared exactly with the expected output.

All 896 runs matched when last measured (docs/notes/cluster.md). This test fails when a count drops below that record."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from hullguard.cluster.load import load_path
from hullguard.cluster.netpol.analyze import Analysis, analyze
from hullguard.cluster.netpol.focus import Focus, parse_conn
from hullguard.cluster.netpol.output import render

PASSING = {
    ("plain", "txt"): 104, ("plain", "json"): 42, ("plain", "csv"): 42, ("plain", "md"): 42, ("plain", "dot"): 42,
    ("focus", "txt"): 13, ("focus", "json"): 4, ("focus", "csv"): 4, ("focus", "md"): 4, ("focus", "dot"): 4,
    ("exposure", "txt"): 87, ("exposure", "json"): 77, ("exposure", "csv"): 77, ("exposure", "md"): 78,
    ("exposure", "dot"): 78,
    ("networks", "txt"): 40, ("networks", "json"): 34, ("networks", "csv"): 34, ("networks", "md"): 34,
    ("networks", "dot"): 40,
    ("conn", "txt"): 4, ("conn", "json"): 3, ("conn", "csv"): 3, ("conn", "md"): 3, ("conn", "dot"): 3,
}  # fmt: skip
"""Exact matches per (kind of run, format) when last measured."""


def _kind(run: dict[str, object]) -> str | None:
    if run["multiple_networks_enabled"]:
        return "networks"
    if run["focus_conn"]:
        return "conn"
    if run["exposure_analysis"]:
        return "exposure"
    return "focus" if run["focus_workloads"] or run["focus_direction"] else "plain"


def test_connlist_runs_match_exactly(shared_dir: Path) -> None:
    root = shared_dir / "conformance" / "netpol-analyzer"
    runs = json.loads((root / "connlist_cases.json").read_text())["runs"]
    passed: Counter[tuple[str, str]] = Counter()
    cache: dict[tuple[object, ...], Analysis | None] = {}
    for run in runs:
        kind = _kind(run)
        if not run["expected_output_extracted"] or kind is None:
            continue
        focus = Focus(
            workloads=tuple(run["focus_workloads"]),
            peers=tuple(run["focus_workload_peers"]),
            direction=run["focus_direction"],
            conn=parse_conn(run["focus_conn"]) if run["focus_conn"] else None,
        )
        key = (run["input_dir"], focus, run["exposure_analysis"], run["multiple_networks_enabled"])
        if key not in cache:
            try:
                cache[key] = analyze(
                    load_path(root / run["input_dir"]),
                    focus=focus,
                    exposure=run["exposure_analysis"],
                    multiple_networks=run["multiple_networks_enabled"],
                )
            except Exception:  # an error case counts as a mismatch
                cache[key] = None
        result = cache[key]
        expected = (root / run["expected_output"]).read_text()
        if result is not None and render(result, run["format"]).strip() == expected.strip():
            passed[(kind, run["format"])] += 1
    short = {k: (passed[k], floor) for k, floor in PASSING.items() if passed[k] < floor}
    assert not short, f"exact matches below the record (got, before): {short}"
