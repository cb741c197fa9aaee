"""What the built-in rules' regexes say about themselves, worked out when the data is compiled.

A scan learns two things by parsing rule regexes with `re`'s parser: how far each regex can
reach (`bounds`, for the windows it reads) and which openings and closings of tokens the
provider rules own (`known`, for the generic rules to defer to). Both follow from the rule
files alone, and working them out cost every scan that found a candidate 100-200 ms; so
`scripts/compile-data` writes them to `data/compiled/secret-rule-facts.json` under the rule
files' digest (`RuleSet.origin`). A scan takes them from there when the digest is its rules'
origin, and works them out otherwise (a user's rules, a stale file), which costs time, never
correctness; tests/secrets/test_facts.py fails while the file is stale.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullguard import datafiles
from hullguard.secrets.known import Known, known
from hullguard.secrets.rules import RuleSet

FILE = "secret-rule-facts.json"


@dataclass(frozen=True, slots=True)
class Facts:
    reach: dict[str, int]
    """Each rule's longest match, by id."""
    known: Known


def facts_of(ruleset: RuleSet) -> Facts:
    """Worked out from the rules' regexes (what the compiled file holds)."""
    return Facts(reach={r.id: r.reach for r in ruleset.rules}, known=known(ruleset.rules))


def compiled_facts(ruleset: RuleSet) -> Facts | None:
    """The compiled facts when they were worked out from exactly these rules, else None."""
    if ruleset.origin is None:
        return None
    doc = _compiled(datafiles.data_dir())
    if doc is None or doc.get("origin") != ruleset.origin:
        return None
    try:
        k = doc["known"]
        return Facts(
            reach={str(rule): int(n) for rule, n in doc["reach"].items()},
            known=Known(
                prefixes=tuple(k["prefixes"]),
                folded=tuple(k["folded"]),
                suffixes=tuple(k["suffixes"]),
                names=tuple(k["names"]),
            ),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def facts_text(ruleset: RuleSet) -> str:
    """The compiled file for these rules (whose `origin` it records)."""
    facts = facts_of(ruleset)
    k = facts.known
    doc = {
        "origin": ruleset.origin,
        "reach": facts.reach,
        "known": {"prefixes": k.prefixes, "folded": k.folded, "suffixes": k.suffixes, "names": k.names},
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


@functools.cache
def _compiled(data: Path) -> dict[str, Any] | None:
    """Read once per data folder (a test points `data_dir` elsewhere)."""
    return datafiles.compiled(FILE)
