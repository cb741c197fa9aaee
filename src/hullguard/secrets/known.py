"""What the provider rules know about their tokens, for the generic rules to defer to.

A generic rule (`defer: true`) finds any high-entropy value assigned to a name like `token`.
A value that opens with a provider's own prefix (`cfut_`, `xai-`, `HRKU-`) is that provider's
token, and when the provider's rule did not match it (it runs first and would have claimed the
bytes), the value has the wrong shape for it: a character short, one outside its alphabet, a
truncated segment. A specialist scanner reports nothing there, and neither does the generic rule.

The prefixes are read from each provider rule's regex: the literal characters that open its
`secret` group, per alternative. (Deferring also to a provider's *name* next to the value,
`PERCY_TOKEN=<wrong shape>`, was measured and dropped: on the peers' samples it lost about three
real tokens, whose format a provider rule knows too narrowly, for each false alarm it removed.)
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hullguard.secrets.rules import Rule

_parser: Any = importlib.import_module("re._parser")
C: Any = importlib.import_module("re._constants")

MIN_PREFIX = 4
"""Shorter openings (`sk_`, `AC`) are not a provider's signature."""
COMMON_PREFIXES = frozenset(
    {
        "http://",
        "https://",
        "test_",
        "live_",
        "secret_",
        "key-",
        "ext_",
        "sk_live_",
        "sk_test_",
        "rk_live_",
        "rk_test_",
    }
)
"""Openings that are words before they are signatures, or that several providers share
(Stripe's `sk_live_` style is also Checkout's, Paystack's, ...)."""


@dataclass(frozen=True, slots=True)
class Known:
    prefixes: tuple[str, ...]
    """Openings of provider tokens, as written."""
    folded: tuple[str, ...]
    """Openings matched without regard to case (the rule says `(?i)`), lower-case."""

    def claims(self, secret: str) -> bool:
        """A provider knows this value by its opening."""
        return secret.startswith(self.prefixes) or secret.lower().startswith(self.folded)


def known(rules: Iterable[Rule]) -> Known:
    exact: set[str] = set()
    folded: set[str] = set()
    for rule in rules:
        if rule.defer or rule.file:
            continue
        for text, ignorecase in openings(rule.pattern):
            if len(text) >= MIN_PREFIX and text.lower() not in COMMON_PREFIXES:
                (folded if ignorecase else exact).add(text.lower() if ignorecase else text)
    return Known(prefixes=tuple(sorted(exact)), folded=tuple(sorted(folded)))


def openings(pattern: bytes) -> list[tuple[str, bool]]:
    """The literal text each alternative of the `secret` group starts with, and whether case is ignored."""
    tree = _parser.parse(pattern.decode("latin-1"))
    group = tree.state.groupdict.get("secret")
    if group is None:
        return []
    found = _find_group(list(tree), group)
    ignorecase = bool(tree.state.flags & re.IGNORECASE)
    return [(text, ignorecase or folded) for text, folded in _leading(found)] if found is not None else []


def _find_group(items: list[tuple[Any, Any]], group: int) -> list[tuple[Any, Any]] | None:
    for op, arg in items:
        subs: list[list[tuple[Any, Any]]] = []
        if op == C.SUBPATTERN:
            if arg[0] == group:
                return list(arg[-1])
            subs = [list(arg[-1])]
        elif op == C.BRANCH:
            subs = [list(b) for b in arg[1]]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            subs = [list(arg[2])]
        elif op == C.ATOMIC_GROUP:
            subs = [list(arg)]
        for sub in subs:
            hit = _find_group(sub, group)
            if hit is not None:
                return hit
    return None


def _leading(items: list[tuple[Any, Any]], folded: bool = False) -> list[tuple[str, bool]]:
    """Literal openings of a sequence, one per alternative of a leading branch or group."""
    text = ""
    for i, (op, arg) in enumerate(items):
        if op == C.LITERAL:
            text += chr(arg)
            continue
        rest = items[i + 1 :]
        if op == C.SUBPATTERN:
            inner = folded or bool(arg[1] & re.IGNORECASE)
            return [(text + t, f) for t, f in _leading(list(arg[-1]) + rest, inner)]
        if op == C.BRANCH:
            return [(text + t, f) for b in arg[1] for t, f in _leading(list(b) + rest, folded)]
        break
    return [(text, folded)]
