"""Comparison operators: RHS values converted once, at compile time, to the field's type."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from fnmatch import fnmatchcase

from hullguard.events.errors import ConditionError
from hullguard.events.fields import FieldType, Scalar, Value
from hullguard.events.syntax import Op

Test = Callable[[Scalar], bool]
Predicate = Callable[[Value], bool]

_STRING_ONLY = frozenset({Op.CONTAINS, Op.ICONTAINS, Op.BCONTAINS, Op.STARTSWITH, Op.BSTARTSWITH,
                          Op.ENDSWITH, Op.GLOB, Op.IGLOB, Op.REGEX, Op.PMATCH})
_ORDER = frozenset({Op.LT, Op.LE, Op.GT, Op.GE})


def predicate(ftype: FieldType, multi: bool, op: Op, values: tuple[str, ...], field: str) -> Predicate:
    """A test of an extracted value; None (not known for this event) never matches."""
    if op is Op.EXISTS:
        return _exists
    if op is Op.INTERSECTS:
        wanted = frozenset(_convert(ftype, v, field) for v in values)
        return lambda value: isinstance(value, tuple) and not wanted.isdisjoint(value)
    test = _test(ftype, op, values, field)
    # A tuple (an any-ancestor or either-end field) matches when one of its values does.
    return lambda value: value is not None and (
        any(test(v) for v in value) if isinstance(value, tuple) else test(value)
    )


def _exists(value: Value) -> bool:
    return value is not None and value != () and value != ""


def _test(ftype: FieldType, op: Op, values: tuple[str, ...], field: str) -> Test:
    if op in _STRING_ONLY and ftype is not FieldType.STRING:
        raise ConditionError(f"operator {op} needs a string field; {field} is {ftype}")
    if op in _ORDER and ftype is not FieldType.INT:
        raise ConditionError(f"operator {op} needs a numeric field; {field} is {ftype}")
    if ftype is FieldType.STRING:
        return _string_test(op, values)
    if ftype is FieldType.IPNET:
        nets = tuple(_network(v, field) for v in values)
        if op is Op.NE:
            return lambda ip: not any(ip in n for n in nets)
        return lambda ip: any(ip in n for n in nets)
    converted = frozenset(_convert(ftype, v, field) for v in values)
    one = next(iter(converted)) if converted else None
    match op:
        case Op.EQ | Op.IN:
            return converted.__contains__
        case Op.NE:
            return lambda v: v not in converted
        case Op.LT:
            return lambda v: v < one  # type: ignore[operator]
        case Op.LE:
            return lambda v: v <= one  # type: ignore[operator]
        case Op.GT:
            return lambda v: v > one  # type: ignore[operator]
        case Op.GE:
            return lambda v: v >= one  # type: ignore[operator]
    raise ConditionError(f"operator {op} is not defined for {field} ({ftype})")


def _string_test(op: Op, values: tuple[str, ...]) -> Test:
    one = values[0] if values else ""
    match op:
        case Op.EQ | Op.IN:
            wanted = frozenset(values)
            return lambda v: v in wanted
        case Op.NE:
            wanted = frozenset(values)
            return lambda v: v not in wanted
        case Op.CONTAINS | Op.BCONTAINS:
            return lambda v: one in v  # type: ignore[operator]
        case Op.ICONTAINS:
            low = one.lower()
            return lambda v: low in str(v).lower()
        case Op.STARTSWITH | Op.BSTARTSWITH:
            return lambda v: str(v).startswith(one)
        case Op.ENDSWITH:
            return lambda v: str(v).endswith(one)
        case Op.GLOB:
            return lambda v: fnmatchcase(str(v), one)
        case Op.IGLOB:
            low = one.lower()
            return lambda v: fnmatchcase(str(v).lower(), low)
        case Op.REGEX:
            pattern = re.compile(one)
            return lambda v: pattern.search(str(v)) is not None
        case Op.PMATCH:
            prefixes = tuple(p.rstrip("/") for p in values)
            return lambda v: any(_under(str(v), p) for p in prefixes)
    raise ConditionError(f"operator {op} is not defined for strings")


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/") or prefix == ""


def _convert(ftype: FieldType, text: str, field: str) -> Scalar:
    try:
        match ftype:
            case FieldType.INT:
                return int(text, 0)
            case FieldType.BOOL:
                if text.lower() not in ("true", "false"):
                    raise ValueError(text)
                return text.lower() == "true"
            case FieldType.IPADDR:
                return ipaddress.ip_address(text)
    except ValueError:
        raise ConditionError(f"{text!r} is not a valid {ftype} for {field}") from None
    return text


def _network(text: str, field: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ConditionError(f"{text!r} is not a network for {field}") from None
