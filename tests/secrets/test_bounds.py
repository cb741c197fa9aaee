"""Linear time by construction: every rule's regex is bounded, and the detector reads only
windows around keywords. Checked structurally and by counting bytes handed to regexes, not
by timing."""

from __future__ import annotations

import random
import re
import string

import pytest

from hullguard.secrets.bounds import MAX_PATHS, UnboundedPattern, bounds
from hullguard.secrets.detect import Detector, windows
from hullguard.secrets.rules import RuleError, parse_rules
from hullguard.secrets.settings import builtin_rules

RULES = builtin_rules()


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"ado[\w\-]*token", "unbounded"),
        (r"x(?:[a-z]+)+y", "unbounded"),
        (r"key=\S{8,}", "unbounded"),
        (r"(?:[a-z]{1,64}){1,64}z", "backtrack"),
        (r"a{0,40000}", "above"),
        (r"x(?=[a-z]{300})", "lookaround"),
    ],
)
def test_super_linear_shapes_are_rejected(pattern: str, why: str) -> None:
    with pytest.raises(UnboundedPattern, match=why):
        bounds(pattern)


def test_bounded_shapes_pass_with_their_reach() -> None:
    assert bounds(r"ghp_[A-Za-z0-9]{36}").reach == 40
    assert bounds(r"(?:\d{1,13}-){1,3}x").reach == 43
    assert bounds(r"\s{0,16}+=").paths == 1


def test_every_builtin_rule_is_bounded_and_has_keywords() -> None:
    for rule in RULES.rules:
        b = bounds(rule.regex.pattern, rule.regex.flags)
        assert b.paths <= MAX_PATHS and rule.reach == b.reach, rule.id
        assert rule.keywords and all(k == k.lower() for k in rule.keywords), rule.id


def test_user_rules_must_be_bounded_and_keyed() -> None:
    with pytest.raises(RuleError, match=r"custom.yaml: rules\[0\] \(a\): regex may take super-linear time"):
        parse_rules("rules: [{id: a, title: A, keywords: [k], regex: 'k\\w+'}]", "custom.yaml")
    with pytest.raises(RuleError, match="keywords"):
        parse_rules("rules: [{id: a, title: A, regex: 'k\\w{1,8}'}]", "custom.yaml")


def test_windows_cover_reach_and_merge() -> None:
    assert windows([1000, 5000], 4, 40, 10_000) == [(960, 1300), (4960, 5300)]
    assert windows([1000, 1100], 4, 40, 10_000) == [(960, 1400)]
    assert windows([0, 9999], 4, 40, 10_000) == [(0, 300), (9959, 10_000)]


def test_a_search_from_a_window_start_still_sees_what_lies_before_it() -> None:
    """Why windows need no margin on the left: lookbehinds, `\b` and `^` read the text before
    `pos`; only `endpos` cuts it (so the right side keeps one)."""
    text = b"xxxx_ghp_1234 ghp_5678\nkey"
    assert [m.start() for m in re.finditer(rb"(?<![\w])ghp_\d+", text)] == [14]
    assert [m.start() for m in re.compile(rb"(?<![\w])ghp_\d+").finditer(text, 5)] == [14]
    assert re.compile(rb"\bghp").search(text, 5) is not None and re.compile(rb"\bghp").match(text, 5) is None
    assert re.compile(rb"(?m)^key").match(text, 23) is not None
    assert re.compile(rb"ghp_5678(?=\n)").search(text, 0, 22) is None  # the end hides a lookahead


def _adversarial(kind: str, size: int) -> bytes:
    rng = random.Random(kind)
    if kind == "letters":
        return "".join(rng.choices(string.ascii_letters, k=size)).encode()
    if kind == "base64":
        return "".join(rng.choices(string.ascii_letters + string.digits + "+/", k=size)).encode()
    unit = {
        "keywords": b"ado_token=password:secret_key AKIA ghp_ -----BEGIN RSA PRIVATE KEY----- ",
        "markers": b"-----BEGIN OPENSSH PRIVATE KEY-----AAAA",
        "jsmin": b'var a="eyJ",b=function(e){return e.token||"sk_live_"+e.apikey};',
    }[kind]
    return (unit * (size // len(unit) + 1))[:size]


@pytest.mark.parametrize("kind", ["letters", "base64", "keywords", "markers", "jsmin"])
def test_work_grows_linearly_with_one_long_line(kind: str) -> None:
    """The bytes regexes read per input byte stay the same from 64 KiB to 1 MiB: the window
    merge never hands a regex more than the file once per rule, and each rule's work per
    start position is bounded (above)."""
    ratios = []
    for size in (64 << 10, 1 << 20):
        detector = Detector(RULES)
        detector.scan(_adversarial(kind, size), "line.js")
        assert detector.work <= len(RULES.rules) * size
        ratios.append(detector.work / size)
    assert ratios[1] <= ratios[0] * 1.2 + 0.01, ratios


def test_every_builtin_allowlist_and_path_pattern_compiles() -> None:
    """Built-in patterns compile on first use (a user's compile when loaded): a bad one must
    fail here, not in the middle of a scan."""
    import re

    allowlists = [RULES.allow, *(rule.allow for rule in RULES.rules)]
    patterns = [p for a in allowlists for p in (*a.secrets, *a.keys, *a.paths)]
    patterns += [p for rule in RULES.rules for p in rule.paths]
    assert len(patterns) > 100
    for p in patterns:
        re.compile(p.pattern)
