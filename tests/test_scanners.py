"""The scanner registry: every scanner the CLI offers is registered, named as it is asked for."""

from __future__ import annotations

from hullguard.pipeline import ALL_SCANNERS
from hullguard.scanners import registered


def test_every_offered_scanner_is_registered_under_its_name() -> None:
    assert tuple(s.name for s in registered()) == ALL_SCANNERS


def test_only_the_named_scanners_are_loaded() -> None:
    assert [s.name for s in registered({"secret"})] == ["secret"]
    assert registered(()) == ()
