"""Why a secret rule's regex runs in linear time, checked from its parse tree.

Python's `re` backtracks, so a pattern like `key[\\w-]*token` takes quadratic time on a long
run of word characters (each `key` rescans the rest of the line). Every rule's regex must
therefore be *bounded*: each quantifier has a finite maximum (`{0,40}`, never `*`, `+` or
`{8,}`), and a repeated group holds no variable-width repeat unless the number of ways to
split its input stays small. Then a match attempt from one position does at most a constant
amount of work (`Bounds.paths` ways to split at most `Bounds.reach` bytes), and the detector
only runs a rule in windows of `reach` bytes around its keywords, so a scan costs
O(file size), whatever the file holds.

The parse tree comes from `re._parser`, the parser `re.compile` itself uses.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

# Private modules of the standard library, without type stubs: the parser `re.compile` uses.
_parser: Any = importlib.import_module("re._parser")
C: Any = importlib.import_module("re._constants")

MAX_REPEAT = 32768
"""Largest quantifier maximum: a private key body (PEM keys of 16 kbit RSA fit)."""
MAX_PATHS = 10**12
"""Most ways a pattern may split its input at one start position (a sequence multiplies)."""
MAX_LOOKAROUND = 256

_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)


class UnboundedPattern(ValueError):
    """The pattern can take super-linear time; the message says which part and why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Bounds:
    reach: int
    """The longest text one match can span."""
    paths: int
    """An upper bound on the ways one attempt can split its input (backtracking work)."""


def bounds(pattern: str | bytes, flags: int = 0) -> Bounds:
    tree = _parser.parse(pattern, flags)
    _lo, hi = tree.getwidth()
    if hi >= C.MAXREPEAT:
        raise UnboundedPattern("unbounded quantifier (*, + or {n,}): give every repeat a maximum, {m,N}")
    return Bounds(reach=hi, paths=_paths(list(tree)))


def _paths(items: list[tuple[Any, Any]]) -> int:
    total = 1
    for op, arg in items:
        total = min(total * _item_paths(op, arg), MAX_PATHS + 1)
    if total > MAX_PATHS:
        raise UnboundedPattern(f"too many ways to backtrack (> {MAX_PATHS}): bound or simplify the repeats")
    return total


def _item_paths(op: Any, arg: Any) -> int:
    if op in _REPEATS:
        lo, hi, sub = arg
        if hi >= C.MAXREPEAT:
            raise UnboundedPattern("unbounded quantifier (*, + or {n,}): give every repeat a maximum, {m,N}")
        if hi > MAX_REPEAT:
            raise UnboundedPattern(f"quantifier maximum {hi} above {MAX_REPEAT}")
        inner = _paths(list(sub))
        if op == C.POSSESSIVE_REPEAT:
            return 1  # takes as much as it can, once: nothing to backtrack into
        sub_lo, sub_hi = sub.getwidth()
        if inner == 1 and sub_lo == sub_hi:
            return int(hi - lo + 1)
        if hi <= 1:
            return inner + 1
        base, total = min(inner * (hi - lo + 1), MAX_PATHS + 1), 1
        for _ in range(hi):  # base ** hi, stopping once past the limit
            total *= base
            if total > MAX_PATHS:
                return MAX_PATHS + 1
        return total
    if op == C.BRANCH:
        _, branches = arg
        return int(sum(_paths(list(b)) for b in branches))
    if op == C.SUBPATTERN:
        return _paths(list(arg[-1]))
    if op == C.ATOMIC_GROUP:
        _paths(list(arg))
        return 1
    if op in (C.ASSERT, C.ASSERT_NOT):
        _direction, sub = arg
        if sub.getwidth()[1] > MAX_LOOKAROUND:
            raise UnboundedPattern(f"lookaround wider than {MAX_LOOKAROUND} bytes")
        _paths(list(sub))
        return 1
    if op == C.GROUPREF_EXISTS:
        _group, yes, no = arg
        return _paths(list(yes)) + (_paths(list(no)) if no else 1)
    return 1
