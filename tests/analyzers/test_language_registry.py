"""Every analyzer class in `hullguard.analyzers` is registered once, under a unique id."""

from __future__ import annotations

import importlib
import pkgutil

import hullguard.analyzers as package
from hullguard.analyzers import ANALYZERS
from hullguard.analyzers.base import AnalyzerSpec


def test_every_analyzer_module_is_registered_with_a_unique_id() -> None:
    registered = {type(a) for a in ANALYZERS}
    ids = [a.spec.id for a in ANALYZERS]
    assert len(ids) == len(set(ids)), f"duplicate analyzer ids: {sorted(ids)}"
    defined = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            own = isinstance(value, type) and value.__module__ == module.__name__
            if own and isinstance(getattr(value, "spec", None), AnalyzerSpec):
                defined.add(value)
    assert len(defined) >= len(ANALYZERS) - 1  # discovery works (os-release et al. are found too)
    assert defined - registered == set(), "analyzers defined but not in ANALYZERS"
