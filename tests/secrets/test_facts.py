"""The compiled facts of the built-in rules: current, equal to what the regexes say, and never
used for a regex they were not worked out from."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard import datafiles
from hullguard.secrets import facts
from hullguard.secrets.detect import Detector
from hullguard.secrets.known import known, marks
from hullguard.secrets.rules import load_builtin, parse_rules
from hullguard.secrets.settings import apply_config


def test_the_compiled_facts_are_current_and_are_what_the_regexes_say() -> None:
    builtin = load_builtin()
    compiled = datafiles.data_dir() / "compiled" / facts.FILE
    assert compiled.read_text(encoding="utf-8") == facts.facts_text(builtin), "run scripts/compile-data"
    stored = facts.RuleFacts.builtin()
    for rule in builtin.rules:
        assert stored._stored(rule) is not None, rule.id
        assert stored.reach(rule) == rule.reach and stored.marks(rule) == marks(rule.pattern), rule.id
    assert known(builtin.rules, stored.marks) == known(builtin.rules)


def test_a_users_config_keeps_the_facts_of_the_rules_it_left_alone() -> None:
    """Only the regex decides: a config that allows paths or replaces one rule still takes the
    other rules' facts from the file, and works out the replaced rule's."""
    config = "rules: [{id: github-pat, title: T, keywords: [ghp_], regex: '(?P<secret>ghp_[A-Za-z0-9]{36,40})'}]\n"
    ruleset = apply_config(load_builtin(), config + "allow: {paths: ['^vendor/']}\n", "c.yaml")
    stored = facts.RuleFacts.builtin()
    replaced = next(r for r in ruleset.rules if r.id == "github-pat")
    assert stored._stored(replaced) is None
    assert stored.marks(replaced) == marks(replaced.pattern) and stored.reach(replaced) == replaced.reach
    assert all(stored._stored(r) is not None for r in ruleset.rules if r.id != "github-pat")
    custom = parse_rules("rules: [{id: mine, title: M, keywords: [zzq_], regex: '(?P<secret>zzq_[a-z]{8})'}]", "m.yaml")
    assert stored.marks(custom.rules[0]).prefixes == ("zzq_",)


def test_a_stale_or_missing_file_is_worked_out_instead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builtin = load_builtin()
    (tmp_path / "compiled").mkdir()
    text = facts.facts_text(builtin)
    pat = next(r for r in builtin.rules if r.id == "github-pat")
    stale = text.replace(facts._digest(pat), "0" * 64)
    (tmp_path / "compiled" / facts.FILE).write_text(stale, encoding="utf-8")
    monkeypatch.setattr(datafiles, "data_dir", lambda: tmp_path)
    stored = facts.RuleFacts.builtin()
    assert stored._stored(pat) is None and stored.reach(pat) == pat.reach
    assert Detector(builtin)._known == known(builtin.rules)
    monkeypatch.setattr(datafiles, "data_dir", lambda: tmp_path / "nowhere")
    assert facts.RuleFacts.builtin()._stored(pat) is None

