"""OSV range semantics, case by case."""

from __future__ import annotations

import pytest

from hullguard.matchers.ranges import evaluate
from hullguard.versions import scheme_for
from hullguard.vulndb.osv import Affected, Event, Range


def affected(*events: tuple[str, str], kind: str = "ECOSYSTEM", versions: tuple[str, ...] = ()) -> Affected:
    return Affected(
        ecosystem="PyPI",
        package="p",
        ranges=(Range(type=kind, events=tuple(Event(kind=k, version=v) for k, v in events)),),
        versions=versions,
    )


CASES = [
    # events, version, affected?
    ((("introduced", "0"), ("fixed", "1.5")), "1.4.9", True),
    ((("introduced", "0"), ("fixed", "1.5")), "1.5", False),
    ((("introduced", "1.0"), ("fixed", "1.5")), "0.9", False),
    ((("introduced", "1.0"), ("last_affected", "1.3")), "1.3", True),
    ((("introduced", "1.0"), ("last_affected", "1.3")), "1.3.1", False),
    ((("introduced", "1.0"), ("fixed", "1.2"), ("introduced", "2.0"), ("fixed", "2.3")), "1.5", False),
    ((("introduced", "1.0"), ("fixed", "1.2"), ("introduced", "2.0"), ("fixed", "2.3")), "2.1", True),
    # events need not be written in order
    ((("fixed", "2.3"), ("introduced", "2.0"), ("fixed", "1.2"), ("introduced", "1.0")), "2.1", True),
    ((("introduced", "0"),), "99", True),
    ((("introduced", "0"), ("limit", "2.0")), "2.5", False),
    ((("introduced", "0"), ("limit", "2.0")), "1.5", True),
    ((("introduced", "0"), ("fixed", "1.0rc1")), "1.0a1", True),
    ((("introduced", "0"), ("fixed", "1.0")), "not a version!", False),
]


@pytest.mark.parametrize(("events", "version", "expected"), CASES)
def test_osv_range_cases(events: tuple[tuple[str, str], ...], version: str, expected: bool) -> None:
    scheme = scheme_for("PyPI")
    assert scheme is not None
    assert evaluate(affected(*events), version, scheme).affected is expected


def test_explicit_versions_and_semver_ranges() -> None:
    pypi = scheme_for("PyPI")
    assert pypi is not None
    assert evaluate(affected(versions=("1.0", "1.1")), "1.1", pypi).affected
    assert evaluate(affected(versions=("1.0",)), "1.0.0", pypi).affected  # PEP 440 equal
    assert not evaluate(affected(versions=("1.0",)), "1.2", pypi).affected
    semver_range = affected(("introduced", "1.0.0"), ("fixed", "1.10.0"), kind="SEMVER")
    verdict = evaluate(semver_range, "1.9.0", pypi)
    assert verdict.affected and verdict.fixed == ("1.10.0",)
