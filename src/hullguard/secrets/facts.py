"""What the built-in rules' regexes say about themselves, worked out when the data is compiled.

A scan learns two things by parsing a rule's regex with `re`'s parser: how far it can reach
(`bounds`, for the windows it reads) and which openings and closings of tokens a provider
rule owns (`known.marks`, for the generic rules to defer to). Both follow from the regex
alone, and working them out for the built-in rules cost every scan that found a candidate
100-200 ms; so `scripts/compile-data` writes them to `data/compiled/secret-rule-facts.json`,
each under its rule's id and the SHA-256 of its regex. A scan takes a rule's facts from there
when the regex is the same, whatever else a user's `--secret-config` changed, and works them
out otherwise (a rule of the user's, a stale file): that costs time, never correctness;
tests/secrets/test_facts.py fails while the file is stale.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from hullguard import datafiles
from hullguard.secrets.known import Marks, marks
from hullguard.secrets.rules import Rule, RuleSet

FILE = "secret-rule-facts.json"


class RuleFacts:
    """Each rule's reach and marks: from the compiled file when it holds them for the rule's
    regex, else worked out (once per rule)."""

    def __init__(self, compiled: dict[str, Any] | None) -> None:
        self._compiled: dict[str, Any] = compiled if compiled is not None else {}
        self._reach: dict[str, int] = {}
        self._marks: dict[str, Marks] = {}

    @classmethod
    def builtin(cls) -> RuleFacts:
        return cls(_compiled(datafiles.data_dir()))

    def reach(self, rule: Rule) -> int:
        if rule.id not in self._reach:
            found = self._stored(rule)
            self._reach[rule.id] = int(found["reach"]) if found is not None else rule.reach
        return self._reach[rule.id]

    def marks(self, rule: Rule) -> Marks:
        if rule.id not in self._marks:
            found = self._stored(rule)
            self._marks[rule.id] = (
                Marks(
                    prefixes=tuple(found["prefixes"]),
                    folded=tuple(found["folded"]),
                    suffixes=tuple(found["suffixes"]),
                )
                if found is not None
                else marks(rule.pattern)
            )
        return self._marks[rule.id]

    def _stored(self, rule: Rule) -> dict[str, Any] | None:
        found = self._compiled.get(rule.id)
        if not isinstance(found, dict) or found.get("regex") != _digest(rule):
            return None
        return found


def facts_text(ruleset: RuleSet) -> str:
    """The compiled file for these rules."""
    doc: dict[str, Any] = {}
    for rule in ruleset.rules:
        m = marks(rule.pattern)
        doc[rule.id] = {
            "regex": _digest(rule),
            "reach": rule.reach,
            "prefixes": m.prefixes,
            "folded": m.folded,
            "suffixes": m.suffixes,
        }
    return json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n"


def compile_facts(data: Path) -> bool:
    """Write the facts of the built-in rules under `data` (a source tree's `hullguard/data`);
    True when the file changed."""
    from hullguard.secrets.rules import load_builtin

    target = data / "compiled" / FILE
    text = facts_text(load_builtin())
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return False
    target.write_text(text, encoding="utf-8")
    return True


def _digest(rule: Rule) -> str:
    return hashlib.sha256(rule.pattern).hexdigest()


@functools.cache
def _compiled(data: Path) -> dict[str, Any] | None:
    """Read once per data folder (a test points `data_dir` elsewhere)."""
    return datafiles.compiled(FILE)
