"""Conditions compiled to closures over an event: macros inlined, lists expanded, fields resolved.

Compilation is where an unsupported field is found, so a rule that cannot be evaluated is
reported when it loads, never discovered (or silently false) while events flow."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic

from hullguard.events.errors import ConditionError, UnknownField
from hullguard.events.fields import E, FieldSpec, FieldTable
from hullguard.events.ops import predicate
from hullguard.events.syntax import And, Check, FieldRef, ListRef, MacroRef, Node, Not, Op, Or

Evaluator = Callable[[E], bool]
EVENT_TYPE_FIELD = "evt.type"


@dataclass(frozen=True, slots=True)
class Compiled(Generic[E]):
    evaluate: Evaluator[E]
    fields: tuple[FieldRef, ...]
    """Every field the condition reads, in first-use order."""
    event_types: frozenset[str] | None
    """The `evt.type` values the condition can match; None when it can match any."""
    node: Node
    """The condition with macros and lists expanded, for static analysis by a source."""


@dataclass(frozen=True, slots=True)
class Definitions:
    """The lists and (parsed) macros a condition may refer to."""

    lists: Mapping[str, tuple[str, ...]]
    macros: Mapping[str, Node]


def expand(node: Node, defs: Definitions, seen: tuple[str, ...] = ()) -> Node:
    """`node` with every macro inlined and every list name replaced by its items."""
    match node:
        case MacroRef(name):
            if name in seen:
                raise ConditionError(f"macro {name} refers to itself ({' -> '.join((*seen, name))})")
            if name not in defs.macros:
                raise ConditionError(f"undefined macro {name!r}")
            return expand(defs.macros[name], defs, (*seen, name))
        case Not(operand):
            return Not(expand(operand, defs, seen))
        case And(operands):
            return And(tuple(expand(o, defs, seen) for o in operands))
        case Or(operands):
            return Or(tuple(expand(o, defs, seen) for o in operands))
        case Check(field, op, values):
            return Check(field, op, tuple(expand_items(values, defs.lists)))
    raise AssertionError(node)


def expand_items(values: tuple[str | ListRef, ...], lists: Mapping[str, tuple[str, ...]]) -> list[str]:
    out: list[str] = []
    for v in values:
        if isinstance(v, ListRef):
            out.extend(lists.get(v.name, (v.name,)))
        else:
            out.append(v)
    return out


def compile_condition(node: Node, table: FieldTable[E]) -> Compiled[E]:
    """`node` (already expanded) as an evaluator; UnknownField or ConditionError when it cannot be."""
    used: dict[FieldRef, None] = {}
    evaluate = _build(node, table, used)
    return Compiled(evaluate=evaluate, fields=tuple(used), event_types=event_types(node), node=node)


def resolve(ref: FieldRef, table: FieldTable[E]) -> tuple[FieldSpec[E], str | None]:
    found = table.resolve(ref.name, ref.arg)
    if found is None:
        raise UnknownField(str(ref))
    return found


def _build(node: Node, table: FieldTable[E], used: dict[FieldRef, None]) -> Evaluator[E]:
    match node:
        case Not(operand):
            inner = _build(operand, table, used)
            return lambda e: not inner(e)
        case And(operands):
            return _all(tuple(_build(o, table, used) for o in operands))
        case Or(operands):
            return _any(tuple(_build(o, table, used) for o in operands))
        case Check(field, op, values):
            spec, arg = resolve(field, table)
            used[field] = None
            test = predicate(spec.type, spec.multi, op, tuple(str(v) for v in values), str(field))
            extract = spec.extract
            return lambda e: test(extract(e, arg))
        case MacroRef(name):
            raise ConditionError(f"macro {name} was not expanded")
    raise AssertionError(node)


def _all(parts: tuple[Evaluator[E], ...]) -> Evaluator[E]:
    # Plain loops: all()/any() over a generator cost a frame per event on the hot path.
    if len(parts) == 2:
        first, second = parts
        return lambda e: first(e) and second(e)

    def evaluate(e: E) -> bool:
        for p in parts:  # noqa: SIM110 - a loop is faster than all/any over a generator
            if not p(e):
                return False
        return True

    return evaluate


def _any(parts: tuple[Evaluator[E], ...]) -> Evaluator[E]:
    if len(parts) == 2:
        first, second = parts
        return lambda e: first(e) or second(e)

    def evaluate(e: E) -> bool:
        for p in parts:  # noqa: SIM110 - a loop is faster than all/any over a generator
            if p(e):
                return True
        return False

    return evaluate


def event_types(node: Node) -> frozenset[str] | None:
    """A sound over-approximation of the event types `node` can match (for rule indexing)."""
    match node:
        case Check(FieldRef(name, None), Op.EQ | Op.IN, values) if name == EVENT_TYPE_FIELD:
            return frozenset(v.name if isinstance(v, ListRef) else v for v in values)
        case And(operands):
            known = [t for t in map(event_types, operands) if t is not None]
            return frozenset.intersection(*known) if known else None
        case Or(operands):
            parts = [event_types(o) for o in operands]
            if any(p is None for p in parts):
                return None
            return frozenset().union(*(p for p in parts if p is not None))
    return None
