"""A rule's `exceptions:` turned into the `and not (…)` clause Falco appends to its condition."""

from __future__ import annotations

from typing import Any

from hullguard.events.errors import ConditionError
from hullguard.events.syntax import LIST_OPS, And, Check, FieldRef, Item, ListRef, Node, Op, Or, parse


def exception_clause(exceptions: Any) -> Node | None:
    """OR of every exception's value tuples; None when no exception has values."""
    if exceptions is None:
        return None
    if not isinstance(exceptions, list):
        raise ConditionError("exceptions must be a list")
    alternatives: list[Node] = []
    for exc in exceptions:
        if not isinstance(exc, dict) or not isinstance(exc.get("name"), str):
            raise ConditionError("each exception needs a name")
        alternatives.extend(_one(exc))
    return Or(tuple(alternatives)) if alternatives else None


def _one(exc: dict[str, Any]) -> list[Node]:
    fields, comps, values = exc.get("fields"), exc.get("comps"), exc.get("values") or []
    if not isinstance(values, list):
        raise ConditionError(f"exception {exc['name']}: values must be a list")
    if isinstance(fields, str):
        op = _op(comps if comps is not None else "in", exc["name"])
        items = tuple(_items(values))
        if op in LIST_OPS:
            return [Check(_field(fields), op, items)] if items else []
        return [Check(_field(fields), op, (str(v),)) for v in values]
    if not isinstance(fields, list) or not fields:
        raise ConditionError(f"exception {exc['name']}: fields must be a field or a list of fields")
    ops = [_op(c, exc["name"]) for c in (comps if isinstance(comps, list) else ["="] * len(fields))]
    if len(ops) != len(fields):
        raise ConditionError(f"exception {exc['name']}: {len(fields)} fields but {len(ops)} comps")
    out: list[Node] = []
    for row in values:
        if not isinstance(row, list) or len(row) != len(fields):
            raise ConditionError(f"exception {exc['name']}: each value must list {len(fields)} items")
        checks = tuple(_check(_field(f), op, v) for f, op, v in zip(fields, ops, row, strict=True))
        out.append(And(checks) if len(checks) > 1 else checks[0])
    return out


def _check(field: FieldRef, op: Op, value: Any) -> Check:
    if op in LIST_OPS:
        return Check(field, op, tuple(_items(value if isinstance(value, list) else [value])))
    return Check(field, op, (str(value),))


def _items(values: list[Any]) -> list[Item]:
    # A bare string may name a list, as it may in a condition.
    return [ListRef(v) if isinstance(v, str) else str(v) for v in values]


def _field(text: Any) -> FieldRef:
    node = parse(f"{text} exists") if isinstance(text, str) else None
    if not isinstance(node, Check):
        raise ConditionError(f"exception field {text!r} is not a field")
    return node.field


def _op(text: Any, name: str) -> Op:
    try:
        return Op("=" if text == "==" else str(text))
    except ValueError:
        raise ConditionError(f"exception {name}: unknown comparison {text!r}") from None
