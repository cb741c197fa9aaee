"""The compiled facts of the built-in rules: current, equal to what the regexes say, and never
used for rules they were not worked out from."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard import datafiles
from hullguard.secrets import facts
from hullguard.secrets.detect import Detector
from hullguard.secrets.rules import RuleSet, load_builtin


def test_the_compiled_facts_are_current() -> None:
    builtin = load_builtin()
    compiled = datafiles.data_dir() / "compiled" / facts.FILE
    assert compiled.read_text(encoding="utf-8") == facts.facts_text(builtin), "run scripts/compile-data"
    assert facts.compiled_facts(builtin) == facts.facts_of(builtin)


def test_other_rules_or_a_stale_file_work_the_facts_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builtin = load_builtin()
    assert facts.compiled_facts(RuleSet(rules=builtin.rules, allow=builtin.allow)) is None  # no origin
    (tmp_path / "compiled").mkdir()
    stale = facts.facts_text(builtin).replace(str(builtin.origin), "0" * 64)
    (tmp_path / "compiled" / facts.FILE).write_text(stale, encoding="utf-8")
    monkeypatch.setattr(datafiles, "data_dir", lambda: tmp_path)
    assert facts.compiled_facts(builtin) is None
    detector = Detector(builtin)
    assert detector._known == facts.facts_of(builtin).known  # worked out instead


def test_every_builtin_rule_file_has_a_twin() -> None:
    """The rule files are named twice, in load order (`BUILTIN_FILES`) and among the files
    compiled (`datafiles.COMPILED`): one left out of the second is parsed as YAML each scan."""
    from hullguard.secrets.rules import BUILTIN_FILES

    assert set(BUILTIN_FILES) <= set(datafiles.COMPILED)
