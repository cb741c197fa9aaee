"""Reports carry a commit-style fingerprint (where, not what), and a baseline may list it."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

from hullguard.model import Secret
from hullguard.pipeline import FsTarget, ScanOptions, scan
from hullguard.report.json import to_dict
from tests.support.fake_secrets import expand

OPTIONS = ScanOptions(scanners=frozenset({"secret"}))


def test_json_fingerprint_is_location_style_and_a_baseline_of_it_hides_the_finding(tmp_path: Path) -> None:
    token = expand("ghp_<<alnum:36>>", random.Random(3))
    (tmp_path / "app").mkdir()
    (tmp_path / "app/.env").write_text(f"# deploy\nGITHUB_TOKEN={token}\n")
    report = scan(FsTarget(path=tmp_path), OPTIONS)
    [secret] = [f for f in to_dict(report)["findings"] if f["kind"] == "secret"]
    assert secret["fingerprint"] == ":app/.env:github-pat:2"
    assert token not in json.dumps(secret) and token[4:12] not in secret["fingerprint"]

    baseline = tmp_path.parent / "baseline.json"
    baseline.write_text(json.dumps({"version": 1, "secrets": [{"fingerprint": secret["fingerprint"]}]}))
    hidden = scan(FsTarget(path=tmp_path), replace(OPTIONS, secret=replace(OPTIONS.secret, baseline=baseline)))
    assert not [f for f in hidden.findings if isinstance(f, Secret)]
