"""What the provider rules know about their tokens, for the generic rules to defer to.

A generic rule (`defer: true`) finds any high-entropy value assigned to a name like `token`.
A value that opens with a provider's own prefix (`cfut_`, `xai-`, `HRKU-`) is that provider's
token, and when the provider's rule did not match it (it runs first and would have claimed the
bytes), the value has the wrong shape for it: a character short, one outside its alphabet, a
truncated segment. A specialist scanner reports nothing there, and neither does the generic rule.

The prefixes are read from each provider rule's regex: the literal characters that open its
`secret` group, per alternative (a small class such as `cf[ua]t_` counts as its two spellings).
Suffixes likewise (`…-NRMA`): a value ending with a provider's own closing literal is its token. Deferring to a provider's *name* next to the value (`PERCY_TOKEN=<wrong shape>`) for every
provider was measured and dropped: on the peers' samples it lost about three real tokens, whose
format a provider rule knows too narrowly, for each false alarm it removed. A rule that does
know all its provider's formats says so (`owns_names: [lokalise]`), and only its names count.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from hullguard.secrets.rules import Rule

_parser: Any = importlib.import_module("re._parser")
C: Any = importlib.import_module("re._constants")

MIN_PREFIX = 4
"""Shorter openings (`sk_`, `AC`) are not a provider's signature."""
MAX_CLASS = 4
"""A class of at most this many single characters (`[ua]`) is read as alternatives."""
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
    suffixes: tuple[str, ...] = ()
    """Closings of provider tokens (`-NRMA`), as written."""
    names: tuple[str, ...] = ()
    """Provider names whose rules know all their token formats (`Rule.owns_names`), lower-case."""

    def claims(self, secret: str) -> bool:
        """A provider knows this value by its opening or its closing."""
        return (
            secret.startswith(self.prefixes)
            or secret.lower().startswith(self.folded)
            or secret.endswith(self.suffixes)
        )

    def owns(self, name: str) -> bool:
        """A provider rule speaks for values assigned to this name (`WANDB_API_KEY`)."""
        lowered = name.lower()
        return any(n in lowered for n in self.names)


@dataclass(frozen=True, slots=True)
class Marks:
    """What one provider rule's regex says its tokens open and close with (see `Known`)."""

    prefixes: tuple[str, ...] = ()
    folded: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()


def marks(pattern: bytes) -> Marks:
    """Read from the regex: its openings and closings that are a provider's signature."""
    tree = _parser.parse(pattern.decode("latin-1"))
    exact: set[str] = set()
    folded: set[str] = set()
    for text, ignorecase in openings(pattern, tree):
        if len(text) >= MIN_PREFIX and text.lower() not in COMMON_PREFIXES:
            (folded if ignorecase else exact).add(text.lower() if ignorecase else text)
    ends = {text for text, ignorecase in closings(pattern, tree) if len(text) >= MIN_PREFIX and not ignorecase}
    return Marks(prefixes=tuple(sorted(exact)), folded=tuple(sorted(folded)), suffixes=tuple(sorted(ends)))


def known(rules: Iterable[Rule], marks_of: Callable[[Rule], Marks] | None = None) -> Known:
    """What the provider rules among `rules` know; `marks_of` may answer for `marks` (the
    compiled facts of the built-in rules do, see `facts`)."""
    exact: set[str] = set()
    folded: set[str] = set()
    ends: set[str] = set()
    names: set[str] = set()
    for rule in rules:
        if rule.defer or rule.file:
            continue
        names.update(rule.owns_names)
        m = marks_of(rule) if marks_of is not None else marks(rule.pattern)
        exact.update(m.prefixes)
        folded.update(m.folded)
        ends.update(m.suffixes)
    return Known(
        prefixes=tuple(sorted(exact)),
        folded=tuple(sorted(folded)),
        suffixes=tuple(sorted(ends)),
        names=tuple(sorted(names)),
    )


def openings(pattern: bytes, tree: Any = None) -> list[tuple[str, bool]]:
    """The literal text each alternative of the `secret` group starts with, and whether case is
    ignored (`tree`: the pattern already parsed)."""
    found, ignorecase = _secret_group(pattern, tree)
    return [(text, ignorecase or folded) for text, folded in _leading(found)] if found is not None else []


def closings(pattern: bytes, tree: Any = None) -> list[tuple[str, bool]]:
    """The literal text each alternative of the `secret` group ends with, and whether case is
    ignored (`tree`: the pattern already parsed)."""
    found, ignorecase = _secret_group(pattern, tree)
    if found is None:
        return []
    return [(text[::-1], ignorecase or folded) for text, folded in _leading(_reversed(found))]


def _secret_group(pattern: bytes, tree: Any) -> tuple[list[tuple[Any, Any]] | None, bool]:
    """The parsed items of the `secret` group (None when there is no such group), and whether
    the whole pattern ignores case."""
    tree = tree if tree is not None else _parser.parse(pattern.decode("latin-1"))
    group = tree.state.groupdict.get("secret")
    found = _find_group(list(tree), group) if group is not None else None
    return found, bool(tree.state.flags & re.IGNORECASE)


def _reversed(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """A sequence read from its end: enough for `_leading` to find closing literals."""
    out: list[tuple[Any, Any]] = []
    for op, arg in reversed(items):
        if op == C.SUBPATTERN:
            arg = (*arg[:-1], _reversed(list(arg[-1])))
        elif op == C.BRANCH:
            arg = (arg[0], [_reversed(list(b)) for b in arg[1]])
        out.append((op, arg))
    return out


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
        if op == C.IN and 1 < len(arg) <= MAX_CLASS and all(o == C.LITERAL for o, _ in arg):
            return [(text + t, f) for o, c in arg for t, f in _leading([(C.LITERAL, c), *rest], folded)]
        if op == C.SUBPATTERN:
            inner = folded or bool(arg[1] & re.IGNORECASE)
            return [(text + t, f) for t, f in _leading(list(arg[-1]) + rest, inner)]
        if op == C.BRANCH:
            return [(text + t, f) for b in arg[1] for t, f in _leading(list(b) + rest, folded)]
        break
    return [(text, folded)]
