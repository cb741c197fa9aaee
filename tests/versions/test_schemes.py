"""Properties every scheme keeps: invalid input never raises and sorts to one place; the
order is total; Go pseudo-versions order by time; ecosystems map to their scheme."""

from __future__ import annotations

import itertools
import random

import pytest

from hullguard.versions import SCHEMES, scheme_for

NASTY = (
    "",
    " ",
    "v",
    "-",
    "..",
    "~",
    "1..2",
    "latest",
    "😀",
    "1.0\x00",
    "9" * 400,
    "a:b:c",
    "0:",
    "-r",
    "_p",
)
SAMPLES = (
    "0",
    "1",
    "1.0",
    "1.0.0",
    "1.2.3-1",
    "2:1.0-1",
    "1.0~rc1",
    "1.0-r1",
    "1.0a1",
    "1.0.post1",
    "v1.2.3",
)


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_never_raises_and_invalid_sorts_first(name: str) -> None:
    scheme = SCHEMES[name]
    for text in NASTY + SAMPLES:
        version = scheme.parse(text)
        assert version.text == text
    invalid = [scheme.parse(t) for t in NASTY if not scheme.parse(t).ordered]
    valid = [scheme.parse(t) for t in SAMPLES if scheme.parse(t).valid and scheme.parse(t).ordered]
    for bad, good in itertools.product(invalid, valid):
        assert bad < good and good > bad


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_order_is_total_and_consistent(name: str) -> None:
    """Antisymmetric everywhere; transitive over valid versions (apk's reference order of two
    malformed versions is plain text order, which is not transitive with the parsed order)."""
    scheme = SCHEMES[name]
    everything = [scheme.parse(t) for t in NASTY + SAMPLES]
    for a, b in itertools.product(everything, repeat=2):
        assert a.compare(b) == -b.compare(a)
    versions = [v for v in everything if v.valid] + [
        scheme.parse(t) for t in ("0.1", "3", "10.0.1", "1.0.0-1")
    ]
    rng = random.Random(7)
    for a, b, c in (rng.sample(versions, 3) for _ in range(400)):
        assert a.compare(b) == -b.compare(a)
        if a <= b and b <= c:
            assert a <= c
    ordered = sorted(versions)
    assert all(x <= y for x, y in itertools.pairwise(ordered))


def test_go_pseudo_versions_order_by_base_then_time() -> None:
    go = scheme_for("Go")
    assert go is not None
    chain = [
        "v0.0.0-20190101000000-aaaaaaaaaaaa",
        "v0.0.0-20210101000000-bbbbbbbbbbbb",
        "v0.1.0",
        "v0.1.1-0.20220101000000-cccccccccccc",
        "v0.1.1",
        "v2.0.0+incompatible",
    ]
    parsed = [go.parse(v) for v in chain]
    assert all(v.valid for v in parsed)
    assert parsed == sorted(parsed) and len({v.text for v in parsed}) == len(chain)
    assert go.compare("v2.0.0+incompatible", "v2.0.0") == 0


def test_ecosystem_names_with_releases_map_to_schemes() -> None:
    assert scheme_for("Debian:12") is SCHEMES["Debian"]
    assert scheme_for("Alpine:v3.19") is SCHEMES["Alpine"]
    assert scheme_for("AlmaLinux:9") is SCHEMES["AlmaLinux"]
    assert scheme_for("Ubuntu:22.04:LTS") is SCHEMES["Ubuntu"]
    assert scheme_for("NoSuchEcosystem") is None


def test_rpm_epochs_and_dpkg_tilde() -> None:
    rpm, deb = SCHEMES["AlmaLinux"], SCHEMES["Debian"]
    assert rpm.compare("1:1.0-1.el9", "2.0-1.el9") == 1
    assert rpm.compare("128.12.0-1.el10_0", "128.11.0-1.el10_0") == 1
    assert deb.compare("2.36-9+deb12u4", "2.36-9+deb12u10") == -1
    assert deb.compare("1.0~rc1-1", "1.0-1") == -1
    assert not deb.parse("abc").valid and deb.parse("1:2.3-4").valid
