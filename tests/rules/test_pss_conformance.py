"""Pod Security Standards against Kubernetes' own fixtures: 4,537 cases, every level and version."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest
import yaml

from hullguard.rules.engine import ConfigOptions, scan_config
from hullguard.rules.kubernetes import pss
from hullguard.rules.kubernetes.objects import iter_objects
from hullguard.rules.kubernetes.yamldoc import load_documents

pytestmark = pytest.mark.conformance


def evaluate(case: dict[str, str], root: Path) -> tuple[bool, list[str]]:
    text = (root / case["file"]).read_text()
    (obj,) = [o for d in load_documents(text, case["file"]) for o in iter_objects(d, case["file"])]
    assert obj.workload is not None
    minor = pss.parse_version(case["version"])
    denials = pss.evaluate(case["level"], minor, obj.workload.meta, obj.workload.spec)
    messages = [d.message for _, d in denials]
    if case["expected"] == "allowed":
        return not denials, messages
    wanted = case["expect_error_substring"]
    return bool(denials) and (wanted is None or any(wanted in m for m in messages)), messages


def test_every_fixture_every_level_every_version(shared_dir: Path) -> None:
    root = shared_dir / "conformance" / "k8s-pod-security-admission"
    cases = json.loads((root / "expected.json").read_text())["cases"]
    assert len(cases) == 4537
    results: dict[tuple[str, str, str], list[int]] = collections.defaultdict(lambda: [0, 0])
    failures = []
    for case in cases:
        ok, messages = evaluate(case, root)
        key = (case["level"], case["version"], case["check"] or "base")
        results[key][0 if ok else 1] += 1
        if not ok:
            failures.append(f"{case['file']}: expected {case['expected']}, got {messages}")
    by_level = collections.Counter()
    for (level, _, _), (passed, _) in results.items():
        by_level[level] += passed
    print(f"\nPSS conformance: {len(cases) - len(failures)}/{len(cases)} ({dict(by_level)})")
    for check in sorted({k[2] for k in results}):
        passed = sum(v[0] for k, v in results.items() if k[2] == check)
        total = sum(sum(v) for k, v in results.items() if k[2] == check)
        print(f"  {check:<28} {passed}/{total}")
    assert failures == []


def test_restricted_overrides_follow_the_version() -> None:
    assert "capabilities_baseline" in pss.active("restricted", 21)
    assert "capabilities_restricted" not in pss.active("restricted", 21)
    assert "capabilities_baseline" not in pss.active("restricted", 22)
    assert "hostProbesAndHostLifecycle" not in pss.active("baseline", 33)
    assert "hostProbesAndHostLifecycle" in pss.active("baseline", 34)
    replaced = {"procMount", "hostPathVolumes", "capabilities_baseline", "seccompProfile_baseline"}
    assert set(pss.active("baseline", 37)) - set(pss.active("restricted", 37)) == replaced


def test_user_namespace_relaxes_run_as_non_root_from_v1_35() -> None:
    spec = yaml.safe_load(
        "hostUsers: false\ncontainers: [{name: a, image: x, securityContext: {runAsUser: 0}}]"
    )
    assert "runAsUser" in dict(pss.evaluate("restricted", 34, {}, spec))
    assert "runAsUser" not in dict(pss.evaluate("restricted", 35, {}, spec))


@pytest.mark.parametrize("text", ["v1.2.3", "2.1", "v1.x", ""])
def test_bad_versions_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="policy version"):
        pss.parse_version(text)


def test_future_versions_use_the_newest_policy() -> None:
    assert pss.parse_version("v1.99") == pss.NEWEST_MINOR
    assert pss.parse_version("latest") == pss.NEWEST_MINOR


def test_the_engine_gives_the_same_verdicts(shared_dir: Path) -> None:
    """End to end through file discovery, located YAML, the workload view and the PSS rules."""
    root = shared_dir / "conformance" / "k8s-pod-security-admission"
    cases = json.loads((root / "expected.json").read_text())["cases"]
    expected = {case["file"]: case["expected"] for case in cases}
    wrong = []
    for version_dir in sorted((root / "testdata").glob("*/v1.*")):
        level, version = version_dir.parent.name, version_dir.name
        result = scan_config(
            version_dir, ConfigOptions(pss_level=level, only_pss=True, pss_version=pss.parse_version(version))
        )
        assert result.issues == []
        denied = {f.location.path for f in result.findings}
        for file in sorted(version_dir.glob("*/*.yaml")):
            rel = str(file.relative_to(version_dir))
            verdict = "denied" if rel in denied else "allowed"
            if verdict != expected[str(file.relative_to(root))]:
                wrong.append(f"{level}/{version}/{rel}: {verdict}")
    assert len(expected) == 4537
    assert wrong == []
