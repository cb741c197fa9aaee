"""How a setting's value is compared with what a control expects (kube-bench's operators)."""

from __future__ import annotations

from collections.abc import Callable


def _elements(text: str) -> list[str]:
    return [e.strip() for e in text.split(",") if e.strip()]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _gte(value: str, expected: str) -> bool:
    n, e = _number(value), _number(expected)
    return n is not None and e is not None and n >= e


def _lte(value: str, expected: str) -> bool:
    n, e = _number(value), _number(expected)
    return n is not None and e is not None and n <= e


def _has(value: str, expected: str) -> bool:
    """`dm.basesize` is in `dm.basesize=20G,...`; `Node` is in `Node,RBAC`."""
    return any(
        x == expected or x.partition("=")[0] == expected or x.startswith(expected + ":")
        for x in _elements(value)
    )


OPS: dict[str, Callable[[str, str], bool]] = {
    "eq": lambda v, e: v.strip().lower() == e.lower(),
    "noteq": lambda v, e: v.strip().lower() != e.lower(),
    "has": _has,
    "nothave": lambda v, e: not _has(v, e),
    "in": lambda v, e: v.strip().lower() in {x.lower() for x in _elements(e)},
    "notin": lambda v, e: v.strip().lower() not in {x.lower() for x in _elements(e)},
    "gte": _gte,
    "lte": _lte,
    "valid_elements": lambda v, e: set(_elements(v)) <= set(_elements(e)),
    "set": lambda v, e: True,
    "empty": lambda v, e: not _elements(v),
}
"""value, expected -> the value is acceptable."""

WORDS = {
    "eq": "expected {e}",
    "noteq": "must not be {e}",
    "has": "must include {e}",
    "nothave": "must not include {e}",
    "in": "expected one of {e}",
    "notin": "must not be one of {e}",
    "gte": "expected {e} or more",
    "lte": "expected {e} or less",
    "valid_elements": "only these are allowed: {e}",
    "set": "must be set",
    "empty": "must be empty",
}
