"""The pipeline as a service calls it: from threads, with progress and cancellation, silently."""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hullguard.ignorefile import IgnoreRule
from hullguard.model import Report
from hullguard.pipeline import (
    ALL_SCANNERS,
    Cancelled,
    CancelToken,
    ConfigTarget,
    Filters,
    FsTarget,
    ImageTarget,
    ProgressEvent,
    SbomTarget,
    ScanOptions,
    Target,
    scan,
)
from hullguard.vulndb import store
from hullguard.vulndb.bundled import ensure_database
from tests.support.images import BuiltImage

TESTS = Path(__file__).parent.parent
pytestmark = pytest.mark.integration


@pytest.fixture
def options(tmp_path: Path) -> ScanOptions:
    ensure_database(store.db_path(tmp_path))  # the first import would add a note to one report only
    return ScanOptions(scanners=frozenset(ALL_SCANNERS), cache_dir=tmp_path, use_cache=False)


def _targets(demo_image: BuiltImage) -> list[Target]:
    return [
        ImageTarget(ref=str(demo_image.archive)),
        FsTarget(path=TESTS / "fixtures/analyzers"),
        SbomTarget(path=TESTS / "fixtures/sbom/trivy-demo.cdx.json"),
        ConfigTarget(path=TESTS / "rules/kubernetes"),
    ]


@pytest.mark.parametrize("use_cache", [False, True])
def test_four_concurrent_scans_equal_their_sequential_reports(
    demo_image: BuiltImage, options: ScanOptions, use_cache: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without caches, and with one cache directory shared by the four threads (the image's
    analysis and secret caches are written by the sequential scans and read concurrently)."""
    options = replace(options, use_cache=use_cache)
    targets = _targets(demo_image)
    sequential = [scan(t, options) for t in targets]
    assert all(r.findings or r.packages for r in sequential), "each target gives something to compare"
    start = threading.Barrier(len(targets))

    def together(target: Target) -> Report:
        start.wait()
        return scan(target, options)

    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        concurrent = list(pool.map(together, targets))
    assert concurrent == sequential
    assert capsys.readouterr() == ("", ""), "the pipeline never prints"


def test_progress_hears_every_layer_and_stage(demo_image: BuiltImage, options: ScanOptions) -> None:
    events: list[ProgressEvent] = []
    report = scan(ImageTarget(ref=str(demo_image.archive)), options, progress=events.append)
    layers = [e for e in events if e.stage == "layer"]
    assert [e.done for e in layers] == list(range(len(report.artifact.layers)))
    assert {e.total for e in layers} == {len(report.artifact.layers)}
    assert [e.detail for e in layers] == list(report.artifact.layers)
    stages = [e.stage for e in events if e.stage != "layer"]
    assert stages[0] == "start" and stages[-1] == "done"
    assert {"vuln", "secret", "config"} <= set(stages)


def test_a_cancelled_scan_stops_at_its_next_step(demo_image: BuiltImage, options: ScanOptions) -> None:
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        scan(FsTarget(path=TESTS / "fixtures/analyzers"), options, cancel=cancel)
    # Cancelled from another thread (here: the progress callback) while the layers are read.
    cancel = CancelToken()
    seen: list[int] = []

    def on_progress(event: ProgressEvent) -> None:
        if event.stage == "layer":
            seen.append(event.done)
            threading.Thread(target=cancel.cancel).start()
            threading.Event().wait(0.05)

    with pytest.raises(Cancelled):
        scan(ImageTarget(ref=str(demo_image.archive)), options, progress=on_progress, cancel=cancel)
    assert seen == [0]


def test_the_clock_decides_which_ignore_entries_have_expired(options: ScanOptions) -> None:
    target = FsTarget(path=TESTS / "fixtures/analyzers")
    found = scan(target, options).findings
    assert found
    rule = IgnoreRule(id=found[0].id, expires=datetime(2030, 1, 1, tzinfo=UTC).date(), source="test")
    filters = Filters(ignore_rules=(rule,))

    def before() -> datetime:
        return datetime(2029, 12, 31, tzinfo=UTC)

    def after() -> datetime:
        return datetime(2030, 1, 2, tzinfo=UTC)

    hidden = scan(target, replace(options, filters=filters, clock=before))
    shown = scan(target, replace(options, filters=filters, clock=after))
    assert found[0] not in hidden.findings
    assert found[0] in shown.findings and any("expired" in i.message for i in shown.issues)


def _mutable_globals() -> dict[str, str]:
    """Every dict, list, set or bytearray bound at module level in hullguard, as its repr."""
    found = {}
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "hullguard":
            continue
        for attr, value in list(vars(module).items()):
            if isinstance(value, dict | list | set | bytearray) and not attr.startswith("__"):
                found[f"{name}.{attr}"] = repr(value)
    return found


def test_a_scan_mutates_no_module_global(demo_image: BuiltImage, options: ScanOptions) -> None:
    for target in _targets(demo_image):  # first: every module a scan imports is loaded
        scan(target, options)
    before = _mutable_globals()
    assert len(before) > 20
    for target in _targets(demo_image):
        scan(target, options)
    after = _mutable_globals()
    assert {k for k in before if before[k] != after.get(k)} == set()


def test_two_threads_filling_one_cold_cache_with_the_same_image(demo_image: BuiltImage, options: ScanOptions) -> None:
    """Both write the same cache entries (atomically, by rename); both reports, and a third
    read from the cache they left, equal the uncached one."""
    target = ImageTarget(ref=str(demo_image.archive))
    uncached = scan(target, options)
    cached = replace(options, use_cache=True)
    start = threading.Barrier(2)

    def together(_: int) -> Report:
        start.wait()
        return scan(target, cached)

    with ThreadPoolExecutor(max_workers=2) as pool:
        both = list(pool.map(together, range(2)))
    assert both == [uncached, uncached]
    assert scan(target, cached) == uncached
