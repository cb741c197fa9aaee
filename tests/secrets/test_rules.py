"""Every secret rule finds its `match` examples and none of its near misses (from the rule data)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from hullguard.secrets.detect import Detector
from hullguard.secrets.rules import RuleError, RuleSet, load_builtin, parse_rules
from tests.support.fake_secrets import expand

RULES = load_builtin()
DETECTOR = Detector(RULES)


def _cases(kind: str) -> list[pytest.param]:  # type: ignore[valid-type]
    cases = []
    for rule in RULES.rules:
        examples = rule.matches if kind == "match" else rule.near_misses
        cases += [pytest.param(rule.id, text, id=f"{rule.id}-{i}") for i, text in enumerate(examples)]
    return cases


def test_catalogue_is_large_and_every_rule_has_both_kinds_of_example() -> None:
    assert len(RULES.rules) >= 80
    lacking = [r.id for r in RULES.rules if not r.file and (not r.matches or not r.near_misses)]
    assert lacking == []
    families = {r.family for r in RULES.rules}
    for family in (
        "aws",
        "gcp",
        "azure",
        "github",
        "gitlab",
        "slack",
        "stripe",
        "twilio",
        "sendgrid",
        "mailgun",
        "npm",
        "pypi",
        "docker",
        "vault",
        "shopify",
        "square",
        "private-key",
        "jwt",
        "url",
        "database",
        "generic",
    ):
        assert family in families


@pytest.mark.parametrize(("rule_id", "template"), _cases("match"))
def test_rule_finds_its_examples(rule_id: str, template: str) -> None:
    rule = next(r for r in RULES.rules if r.id == rule_id)
    for seed in range(5):
        text = expand(template, random.Random(f"{rule_id}{seed}"))
        found = [h.rule.id for h in DETECTOR.scan(text.encode(), rule.example_path)]
        assert rule_id in found, f"{rule_id} missed {text!r}; found {found}"


@pytest.mark.parametrize(("rule_id", "template"), _cases("no_match"))
def test_rule_ignores_its_near_misses(rule_id: str, template: str) -> None:
    rule = next(r for r in RULES.rules if r.id == rule_id)
    for seed in range(5):
        text = expand(template, random.Random(f"{rule_id}{seed}"))
        found = [h.rule.id for h in DETECTOR.scan(text.encode(), rule.example_path)]
        assert rule_id not in found, f"{text!r} is a near miss for {rule_id} but it matched"


def test_common_near_misses_match_no_rule() -> None:
    rng = random.Random(7)
    texts = [
        "id: <<uuid:0>>",
        "sha256:<<lowerhex:64>>",
        "commit <<lowerhex:40>>",
        "md5sum <<lowerhex:32>>  file.tar.gz",
        "integrity sha512-<<b64:86>>==",
        "token: ${TOKEN}",
        "password: {{ .Values.db.password }}",
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
    ]
    for template in texts:
        text = expand(template, rng)
        assert DETECTOR.scan(text.encode(), "x.txt") == [], text


def test_duplicate_ids_and_bad_regex_are_clear_errors() -> None:
    rule = "{id: a, title: A, keywords: [x], regex: 'x'}"
    with pytest.raises(RuleError, match="duplicate rule id 'a'"):
        parse_rules(f"rules: [{rule}, {rule}]", "custom.yaml")
    with pytest.raises(RuleError, match=r"custom.yaml: rules\[0\] \(b\): bad regular expression"):
        parse_rules("rules: [{id: b, title: B, keywords: [x], regex: '(['}]", "custom.yaml")
    assert isinstance(parse_rules("rules: []", "empty.yaml"), RuleSet)


def test_the_builtin_set_is_read_on_first_use_and_one_rule_alone_when_asked() -> None:
    """A rescan answered by the cache asks for a few rules by id: each is parsed alone, equal
    to the same rule read with all the others, and the first file wins as it does in `rules`."""
    fresh = load_builtin()
    assert fresh._rules is None and fresh.origin is not None
    pat = fresh.rule("github-pat")
    assert fresh._rules is None, "one rule was asked for; the rest stay unread"
    assert pat is not None and pat == next(r for r in RULES.rules if r.id == "github-pat")
    assert fresh.rule("no-such-rule") is None
    assert fresh.rules == RULES.rules and fresh.allow == RULES.allow and fresh == RULES
    assert fresh.rule("github-pat") is next(r for r in fresh.rules if r.id == "github-pat")


def test_the_cache_key_follows_the_rule_files_and_any_change_to_the_rules() -> None:
    from hullguard.secrets.layer_cache import settings_key
    from hullguard.secrets.rules import with_overrides
    from hullguard.secrets.settings import SecretSettings

    builtin = SecretSettings(ruleset=load_builtin())
    assert settings_key(builtin) == settings_key(SecretSettings(ruleset=load_builtin()))
    everything = RuleSet(rules=RULES.rules, allow=RULES.allow)  # the same rules, not as files
    assert everything.origin is None and settings_key(SecretSettings(ruleset=everything)) != settings_key(builtin)
    disabled = with_overrides(RULES, RuleSet(), frozenset({"jwt"}))
    assert disabled.origin is None
    keys = {settings_key(SecretSettings(ruleset=rs)) for rs in (everything, disabled)}
    assert len(keys) == 2 and settings_key(builtin) not in keys


def test_the_rule_files_digest_changes_with_their_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hullguard import datafiles

    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("rules: []\n")
    monkeypatch.setattr(datafiles, "data_dir", lambda: tmp_path)
    before = datafiles.digest(("a.yaml", "b.yaml"))
    assert datafiles.digest(("a.yaml", "b.yaml")) == before
    assert datafiles.digest(("b.yaml", "a.yaml")) != before  # precedence is part of the rules
    (tmp_path / "c.yaml").write_text("rules: [] # changed\n")
    assert datafiles.digest(("a.yaml", "c.yaml")) != before
