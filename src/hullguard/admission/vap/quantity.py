"""Kubernetes resource quantities (`500m`, `1Gi`, `1e3`) as exact decimals, for CEL's quantity library."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
           "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"),
           "P": Decimal("1e15"), "E": Decimal("1e18")}  # fmt: skip
SYNTAX = re.compile(
    r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$"
)
INT64 = 2**63


def parse_quantity(text: str) -> Decimal:
    """The value of a quantity string; ValueError as the API server's ParseQuantity refuses it."""
    match = SYNTAX.match(text)
    if not match:
        raise ValueError(f"quantities must match the regular expression '{SYNTAX.pattern}'")
    number, suffix = match.group(1), match.group(2) or ""
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"invalid quantity {text!r}") from None
    if suffix in BINARY:
        return value * BINARY[suffix]
    if suffix in DECIMAL:
        return value * DECIMAL[suffix]
    exponent = int(suffix[1:])
    if abs(exponent) > 1000:
        raise ValueError(f"quantity {text!r} is out of range")
    return value.scaleb(exponent)


def canonical(value: Decimal) -> str:
    """One spelling per value, so that equal quantities compare equal in CEL."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def as_integer(value: Decimal) -> int:
    if value != value.to_integral_value():
        raise ValueError("cannot convert value to integer")
    number = int(value)
    if not -INT64 <= number < INT64:
        raise ValueError("cannot convert value to integer")
    return number
