"""Kubernetes label selectors (`matchLabels` and `matchExpressions`): parsed, validated, matched."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from hullguard.errors import Error

OPERATORS = frozenset({"In", "NotIn", "Exists", "DoesNotExist"})
NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$")
PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


class SelectorError(Error):
    """A label selector that Kubernetes would reject."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Requirement:
    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.operator == "In":
            return labels.get(self.key) in self.values
        if self.operator == "NotIn":
            return self.key not in labels or labels[self.key] not in self.values
        if self.operator == "Exists":
            return self.key in labels
        return self.key not in labels


@dataclass(frozen=True, slots=True, kw_only=True)
class Selector:
    """Empty: matches everything."""

    labels: tuple[tuple[str, str], ...] = ()
    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(labels.get(k) == v for k, v in self.labels) and all(
            r.matches(labels) for r in self.requirements
        )

    @property
    def empty(self) -> bool:
        return not self.labels and not self.requirements


def check_key(key: str) -> None:
    prefix, _, name = key.rpartition("/")
    if (
        not name
        or len(name) > 63
        or not NAME.match(name)
        or (prefix and (len(prefix) > 253 or not PREFIX.match(prefix)))
    ):
        raise SelectorError(f"invalid label key {key!r}")


def check_value(value: str) -> None:
    if value and (len(value) > 63 or not NAME.match(value)):
        raise SelectorError(f"invalid label value {value!r}")


def parse_selector(raw: object) -> Selector:
    """A LabelSelector mapping; raises SelectorError for what the API server would reject."""
    if raw is None:
        return Selector()
    if not isinstance(raw, dict):
        raise SelectorError("a label selector must be a mapping")
    labels = raw.get("matchLabels") or {}
    if not isinstance(labels, dict):
        raise SelectorError("matchLabels must be a mapping")
    pairs = []
    for k, v in labels.items():
        check_key(str(k))
        check_value("" if v is None else str(v))
        pairs.append((str(k), "" if v is None else str(v)))
    requirements = []
    expressions = raw.get("matchExpressions") or []
    if not isinstance(expressions, list):
        raise SelectorError("matchExpressions must be a list")
    for e in expressions:
        if not isinstance(e, dict):
            raise SelectorError("a matchExpressions entry must be a mapping")
        key, op = str(e.get("key") or ""), str(e.get("operator") or "")
        check_key(key)
        values = e.get("values") or []
        if op not in OPERATORS:
            raise SelectorError(f"{key}: operator {op!r} is not one of In, NotIn, Exists, DoesNotExist")
        if not isinstance(values, list):
            raise SelectorError(f"{key}: values must be a list")
        if op in ("In", "NotIn") and not values:
            raise SelectorError(f"{key}: operator {op} needs at least one value")
        if op in ("Exists", "DoesNotExist") and values:
            raise SelectorError(f"{key}: operator {op} takes no values")
        for v in values:
            check_value(str(v))
        requirements.append(Requirement(key=key, operator=op, values=tuple(str(v) for v in values)))
    return Selector(labels=tuple(pairs), requirements=tuple(requirements))


def _canonical(r: Requirement) -> str:
    values = sorted(r.values)
    if r.operator == "In" and len(values) == 1:
        return f"{r.key}={values[0]}"
    return {
        "In": f"{r.key} in ({','.join(values)})",
        "NotIn": f"{r.key} notin ({','.join(values)})",
        "Exists": r.key,
        "DoesNotExist": f"!{r.key}",
    }[r.operator]


def canonical(s: Selector | None) -> tuple[str, ...]:
    """The selector's requirements as the API machinery prints them, sorted by key: two selectors
    with equal canonical forms select the same pods."""
    if s is None:
        return ()
    reqs = [(k, f"{k}={v}") for k, v in dict(s.labels).items()] + [
        (r.key, _canonical(r)) for r in s.requirements
    ]
    return tuple(text for _, text in sorted(reqs, key=lambda kv: kv[0]))


def full_match(rule: Selector, represented: Selector | None) -> bool:
    """A rule selector matches a representative peer only when it says exactly what the peer's
    selector says (or selects everything)."""
    return rule.empty or canonical(rule) == canonical(represented)


def render(s: Selector) -> str:
    """matchLabels as `k=v,...`, then matchExpressions as Go prints LabelSelectorRequirement."""
    labels = ",".join(f"{k}={v}" for k, v in sorted(dict(s.labels).items()))
    exprs = ",".join(
        sorted(
            f"{{Key:{r.key},Operator:{r.operator},Values:[{' '.join(r.values)}],}}" for r in s.requirements
        )
    )
    return ",".join(x for x in (labels, exprs) if x)
