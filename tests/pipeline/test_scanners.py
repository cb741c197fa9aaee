"""The scanner registry: every scanner the CLI offers is registered, named as it is asked for."""

from __future__ import annotations

import typing

import pytest

from hullguard.errors import UsageError
from hullguard.pipeline import ALL_SCANNERS, ScannerName, ScanOptions
from hullguard.pipeline.scanners import SCANNERS, registered


def test_every_offered_scanner_is_registered_under_its_name() -> None:
    every = ScanOptions(scanners=frozenset(ALL_SCANNERS))
    assert tuple(s.name for s in registered(every)) == ALL_SCANNERS
    assert tuple(name for name, _ in SCANNERS) == typing.get_args(ScannerName)


def test_only_the_named_scanners_are_loaded() -> None:
    assert [s.name for s in registered(ScanOptions(scanners=frozenset({"secret"})))] == ["secret"]
    assert registered(ScanOptions(scanners=frozenset())) == ()


def test_options_refuse_an_unknown_scanner() -> None:
    with pytest.raises(UsageError, match="unknown scanner"):
        ScanOptions(scanners=frozenset({"vuln", "secrets"}))  # type: ignore[arg-type]
