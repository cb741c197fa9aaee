"""`string(x)` and `type(x)` as the API server (cel-go) evaluates them, library values included.

The Kubernetes library values are maps inside (library.py), and cel-expr-python refuses another
overload of its built-in `string`, so expressions are rewritten before compiling, on CEL tokens as
cost.py does: `string(x)` becomes `__string(x)`, one overload per CEL type formatting as cel-go
does (doubles as Go's %g, timestamps as RFC 3339 with nanoseconds trimmed, durations as seconds,
ip and cidr in their canonical spelling; quantity and url have no conversion: no such overload).
`type(x)` becomes `type(x)` unless x is a library value, whose type is a marker of its own
(`net.IP`, `kubernetes.Quantity`, ...), equal only to itself and to those names written as types.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
from decimal import Decimal
from typing import Any

from cel_expr_python import cel

from hullguard.admission.vap import authz
from hullguard.admission.vap.cost import Token, close_call, tokenize
from hullguard.admission.vap.library import CIDR, IP, Q, U

TYPE = "@type"
TYPE_NAMES = {Q: "kubernetes.Quantity", U: "kubernetes.URL", IP: "net.IP", CIDR: "net.CIDR", **authz.TYPE_NAMES}
NAMED = frozenset(TYPE_NAMES.values())


def _previous(tokens: list[Token], i: int) -> str:
    i -= 1
    while i >= 0 and tokens[i].kind == "space":
        i -= 1
    return tokens[i].text if i >= 0 else ""


def _next(tokens: list[Token], i: int, end: int) -> int | None:
    i += 1
    while i < end and tokens[i].kind == "space":
        i += 1
    return i if i < end else None


def _type_name(tokens: list[Token], i: int, end: int) -> tuple[str, int] | None:
    """A library type written as a type (`net.IP`): its name and the index after it."""
    parts, at = [tokens[i].text], i
    while (dot := _next(tokens, at, end)) is not None and tokens[dot].text == ".":
        name = _next(tokens, dot, end)
        if name is None or tokens[name].kind != "name":
            break
        parts.append(tokens[name].text)
        at = name
        if ".".join(parts) in NAMED:
            return ".".join(parts), at + 1
    return None


def _convert(tokens: list[Token], start: int, end: int) -> str:
    out: list[str] = []
    i = start
    while i < end:
        token = tokens[i]
        after_dot = _previous(tokens, i) in (".", ".?")
        if token.kind == "name" and not after_dot and token.text in ("string", "type"):
            opening = _next(tokens, i, end)
            if opening is not None and tokens[opening].text == "(":
                close, args = close_call(tokens, opening + 1)
                inner = [_convert(tokens, a, b) for a, b in args]
                if token.text == "string":
                    out.append("__string(" + ",".join(inner) + ")")
                elif len(inner) == 1 and inner[0].strip():
                    x = f"dyn({inner[0]})"
                    out.append(f"((type({x}) == map && __lib({x})) ? __libtype({x}) : dyn(type({x})))")
                else:
                    out.append("type(" + ",".join(inner) + ")")
                i = close + 1
                continue
        if token.kind == "name" and not after_dot and (named := _type_name(tokens, i, end)):
            out.append(f"dyn({{'{TYPE}': '{named[0]}'}})")
            i = named[1]
            continue
        out.append(token.text)
        i += 1
    return "".join(out)


def rewrite(text: str) -> str:
    """The expression with `string(...)`, `type(...)` and library type names rewritten; the text
    itself when there is nothing to rewrite or it cannot be (the compiler then says why)."""
    if "string" not in text and "type" not in text and "net." not in text and "kubernetes." not in text:
        return text
    tokens = tokenize(text)
    try:
        return _convert(tokens, 0, len(tokens))
    except ValueError:
        return text


def go_double(x: float) -> str:
    """Go's strconv.FormatFloat(x, 'g', -1, 64), cel-go's string(double): the shortest digits
    that read back the same, in exponent form when the exponent is below -4 or 6 and above."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if x == 0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    sign, digit_tuple, exponent = Decimal(repr(x)).normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + exponent  # the value is 0.DIGITS x 10^point
    minus = "-" if sign else ""
    exp = point - 1
    if exp < -4 or exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{minus}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{minus}{digits}{'0' * (point - len(digits))}"
    return f"{minus}{digits[:point]}.{digits[point:]}"


def _timestamp(t: datetime.datetime) -> str:
    """Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros."""
    t = t.astimezone(datetime.UTC)
    fraction = f".{t.microsecond:06d}".rstrip("0").rstrip(".")
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}{fraction}Z"


def _duration(d: datetime.timedelta) -> str:
    """cel-go: the seconds as Go's FormatFloat(s, 'f', -1, 64), then `s`."""
    seconds = Decimal(repr(d.total_seconds())).normalize()
    return f"{seconds:f}s"


def _bytes(b: Any) -> str:
    try:
        return bytes(b).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("invalid UTF-8 in bytes, cannot convert to string") from None


def _library_string(value: dict[str, Any]) -> str:
    if IP in value:
        return str(ipaddress.ip_address(value[IP]))
    if CIDR in value:
        address, _, bits = str(value[CIDR]).partition("/")
        return f"{ipaddress.ip_address(address)}/{int(bits)}"
    raise ValueError("no such overload")


def _library_type(value: dict[str, Any]) -> str | None:
    return next((name for marker, name in TYPE_NAMES.items() if marker in value), None)


def declarations() -> list[cel.FunctionDecl]:
    T = cel.Type
    M = T.Map(T.STRING, T.DYN)
    to_string = [
        ("int", T.INT, str), ("uint", T.UINT, str), ("double", T.DOUBLE, go_double),
        ("bool", T.BOOL, lambda b: "true" if b else "false"), ("string", T.STRING, str),
        ("bytes", T.BYTES, _bytes), ("timestamp", T.TIMESTAMP, _timestamp),
        ("duration", T.DURATION, _duration), ("library", M, _library_string),
    ]  # fmt: skip
    return [
        cel.FunctionDecl(
            "__string", [cel.Overload(f"hg_string_{n}", T.STRING, [t], impl=f) for n, t, f in to_string]
        ),
        cel.FunctionDecl(
            "__lib", [cel.Overload("hg_lib", T.BOOL, [M], impl=lambda v: _library_type(v) is not None)]
        ),
        cel.FunctionDecl(
            "__libtype", [cel.Overload("hg_libtype", M, [M], impl=lambda v: {TYPE: _library_type(v)})]
        ),
    ]
