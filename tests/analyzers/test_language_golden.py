"""The language inventory of every fixture tree, as the JSON report writes it, against a reviewed golden file.

Refresh with `pytest tests/analyzers/test_language_golden.py --update-goldens` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.pipeline import FsTarget, ScanOptions, scan
from hullguard.report.json import package_dict
from tests.analyzers.lang import FIXTURES

GOLDEN = Path(__file__).parent / "golden" / "language_fixtures.json"


def test_language_inventory_of_all_fixtures_matches_the_golden(request: pytest.FixtureRequest) -> None:
    report = scan(FsTarget(path=FIXTURES), ScanOptions(scanners=frozenset()))
    actual = {
        "packages": [package_dict(p) for p in report.packages or ()],
        "issues": sorted(f"{i.path}: {i.message}" for i in report.issues),
    }
    text = json.dumps(actual, indent=1, sort_keys=True) + "\n"
    if request.config.getoption("--update-goldens"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text)
    assert GOLDEN.is_file(), "no golden yet: run with --update-goldens"
    assert json.loads(text) == json.loads(GOLDEN.read_text())
