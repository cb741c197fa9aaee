"""The Kubernetes CEL libraries (quantity, regex, lists, url, ip, cidr) for cel-expr-python.

cel-expr-python takes functions as Python callables over plain values, so the opaque Kubernetes
types are maps with one marker key (`{"@quantity": "0.5"}`) holding a canonical spelling:
equal values compare equal, as with the API server's types. Behaviour follows
k8s.io/apiserver/pkg/cel/library (the documented function list, arguments and errors).
"""

from __future__ import annotations

import functools
import ipaddress
import itertools
import urllib.parse
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import re2
from cel_expr_python import cel

from hullguard.admission.vap import strings
from hullguard.admission.vap.quantity import as_integer, canonical, parse_quantity

S, B, INT, D, DYN = cel.Type.STRING, cel.Type.BOOL, cel.Type.INT, cel.Type.DOUBLE, cel.Type.DYN
M, L, LS = cel.Type.Map(S, DYN), cel.Type.List(DYN), cel.Type.List(S)
Q, U, IP, CIDR = "@quantity", "@url", "@ip", "@cidr"


def _opaque(value: Any, marker: str, what: str) -> Any:
    if not isinstance(value, dict) or marker not in value:
        raise ValueError(f"no such overload: expected a {what}")
    return value[marker]


def quantity(text: str) -> dict[str, str]:
    return {Q: canonical(parse_quantity(text))}


def _q(value: Any) -> Decimal:
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(_opaque(value, Q, "quantity"))


def _sorted(items: list[Any]) -> bool:
    return all(a <= b for a, b in itertools.pairwise(items))


def _extreme(items: list[Any], pick: Callable[..., Any]) -> Any:
    if not items:
        raise ValueError("min/max of an empty list")
    return pick(items)


def _in(item: Any, items: list[Any]) -> bool:
    """CEL equality: 1 == 1.0 across numeric types, but no bool/int mixing."""
    return any(x == item and isinstance(x, bool) is isinstance(item, bool) for x in items)


def url(text: str) -> dict[str, str]:
    parts = urllib.parse.urlsplit(text)
    if not (parts.scheme and parts.netloc) and not text.startswith("/"):
        raise ValueError(
            f"URL parse error during conversion from string: parse {text!r}: invalid URI for request"
        )
    return {U: text}


def _url(value: Any) -> urllib.parse.SplitResult:
    return urllib.parse.urlsplit(str(_opaque(value, U, "URL")))


def _hostname(value: Any) -> str:
    host = _url(value).netloc.rpartition("@")[2]
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.partition(":")[0]


def _port(value: Any) -> str:
    host = _url(value).netloc.rpartition("@")[2]
    rest = host.partition("]")[2] if host.startswith("[") else host
    return rest.partition(":")[2]


def _query(value: Any) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(_url(value).query, keep_blank_values=True)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if "%" in text:
        raise ValueError(f"IP address with zone value is not allowed: {text}")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise ValueError(f"IP Address {text!r} parse error during conversion from string") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        raise ValueError(f"IPv4-mapped IPv6 address is not allowed: {text}")
    return address


def ip(text: str) -> dict[str, str]:
    return {IP: str(_address(text))}


def _ip(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(_opaque(value, IP, "IP address"))


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    address, sep, prefix = text.partition("/")
    if not sep or not prefix.isdigit():
        raise ValueError(f"network address parse error during conversion from string: {text!r}")
    _address(address)
    return ipaddress.ip_network(text, strict=False)


def cidr(text: str) -> dict[str, str]:
    _network(text)
    return {CIDR: text}


def _cidr(value: Any) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]:
    text = _opaque(value, CIDR, "CIDR")
    return _network(text), text


def _valid(fn: Callable[[str], Any]) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        try:
            fn(text)
        except ValueError:
            return False
        return True

    return check


def _contains_ip(net: Any, other: Any) -> bool:
    address = _address(other) if isinstance(other, str) else _ip(other)
    return address in _cidr(net)[0]


def _contains_cidr(net: Any, other: Any) -> bool:
    inner = _network(other) if isinstance(other, str) else _cidr(other)[0]
    outer = _cidr(net)[0]
    return inner.version == outer.version and inner.subnet_of(outer)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=256)
def _re(pattern: str) -> Any:
    """RE2, as the API server: linear time whatever the input, no backreferences or lookaround."""
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as e:
        detail = e.args[0].decode() if e.args and isinstance(e.args[0], bytes) else str(e)
        raise ValueError(f"invalid regular expression {pattern!r}: {detail}") from None


def _find_all(text: str, pattern: str, limit: int = -1) -> list[str]:
    found = [m.group(0) for m in _re(pattern).finditer(text)]
    return found if limit < 0 else found[:limit]


def _decl(name: str, *overloads: tuple[str, Any, list[Any], bool, Callable[..., Any]]) -> cel.FunctionDecl:
    return cel.FunctionDecl(
        name,
        [
            cel.Overload(oid, ret, params, is_member=member, impl=fn)
            for oid, ret, params, member, fn in overloads
        ],
    )


def _member(name: str, ret: Any, fn: Callable[..., Any], *extra: Any) -> cel.FunctionDecl:
    return _decl(name, (f"k8s_{name}_{len(extra)}", ret, [M, *extra], True, fn))


def declarations() -> list[cel.FunctionDecl]:
    """Every Kubernetes library function hullguard provides, as cel-expr-python declarations."""
    return [
        _decl("isSorted", ("k8s_list_is_sorted", B, [L], True, _sorted)),
        _decl("sum", ("k8s_list_sum", DYN, [L], True, lambda xs: sum(xs) if xs else 0)),
        _decl("min", ("k8s_list_min", DYN, [L], True, lambda xs: _extreme(xs, min))),
        _decl("max", ("k8s_list_max", DYN, [L], True, lambda xs: _extreme(xs, max))),
        *(_decl(name, *found) for name, found in strings.overloads().items()),
        _decl("find", ("k8s_string_find", S, [S, S], True,
                       lambda s, p: (m.group(0) if (m := _re(p).search(s)) else ""))),
        _decl("findAll", ("k8s_string_find_all", LS, [S, S], True, _find_all),
              ("k8s_string_find_all_n", LS, [S, S, INT], True, _find_all)),
        _decl("sets.contains", ("sets_contains", B, [L, L], False, lambda a, b: all(_in(x, a) for x in b))),
        _decl("sets.equivalent", ("sets_equivalent", B, [L, L], False,
                                  lambda a, b: all(_in(x, b) for x in a) and all(_in(x, a) for x in b))),
        _decl("sets.intersects", ("sets_intersects", B, [L, L], False, lambda a, b: any(_in(x, b) for x in a))),
        _decl("quantity", ("k8s_quantity", M, [S], False, quantity)),
        _decl("isQuantity", ("k8s_is_quantity", B, [S], False, _valid(parse_quantity))),
        _member("sign", INT, lambda q: (_q(q) > 0) - (_q(q) < 0)),
        _member("isInteger", B, lambda q: _q(q) == _q(q).to_integral_value()),
        _member("asInteger", INT, lambda q: as_integer(_q(q))),
        _member("asApproximateFloat", D, lambda q: float(_q(q))),
        _decl("add", ("k8s_q_add_q", M, [M, M], True, lambda a, b: {Q: canonical(_q(a) + _q(b))}),
              ("k8s_q_add_i", M, [M, INT], True, lambda a, b: {Q: canonical(_q(a) + b)})),
        _decl("sub", ("k8s_q_sub_q", M, [M, M], True, lambda a, b: {Q: canonical(_q(a) - _q(b))}),
              ("k8s_q_sub_i", M, [M, INT], True, lambda a, b: {Q: canonical(_q(a) - b)})),
        _member("isLessThan", B, lambda a, b: _q(a) < _q(b), M),
        _member("isGreaterThan", B, lambda a, b: _q(a) > _q(b), M),
        _member("compareTo", INT, lambda a, b: (_q(a) > _q(b)) - (_q(a) < _q(b)), M),
        _decl("url", ("k8s_url", M, [S], False, url)),
        _decl("isURL", ("k8s_is_url", B, [S], False, _valid(url))),
        _member("getScheme", S, lambda u: _url(u).scheme),
        _member("getHost", S, lambda u: _url(u).netloc.rpartition("@")[2]),
        _member("getHostname", S, _hostname),
        _member("getPort", S, _port),
        _member("getEscapedPath", S, lambda u: _url(u).path),
        _member("getQuery", cel.Type.Map(S, LS), _query),
        _decl("ip", ("k8s_ip", M, [S], False, ip),
              ("k8s_cidr_ip", M, [M], True, lambda c: ip(_cidr(c)[1].partition("/")[0]))),
        _decl("isIP", ("k8s_is_ip", B, [S], False, _valid(ip))),
        _decl("ip.isCanonical", ("k8s_ip_is_canonical", B, [S], False, lambda s: str(_address(s)) == s)),
        _member("family", INT, lambda a: _ip(a).version),
        _member("isUnspecified", B, lambda a: _ip(a).is_unspecified),
        _member("isLoopback", B, lambda a: _ip(a).is_loopback),
        _member("isLinkLocalMulticast", B, lambda a: _ip(a).is_multicast and _ip(a) in _LINK_LOCAL_MULTICAST[_ip(a).version]),
        _member("isLinkLocalUnicast", B, lambda a: _ip(a).is_link_local),
        _member("isGlobalUnicast", B, _global_unicast),
        _decl("cidr", ("k8s_cidr", M, [S], False, cidr)),
        _decl("isCIDR", ("k8s_is_cidr", B, [S], False, _valid(cidr))),
        _decl("containsIP", ("k8s_cidr_contains_ip_s", B, [M, S], True, _contains_ip),
              ("k8s_cidr_contains_ip", B, [M, M], True, _contains_ip)),
        _decl("containsCIDR", ("k8s_cidr_contains_cidr_s", B, [M, S], True, _contains_cidr),
              ("k8s_cidr_contains_cidr", B, [M, M], True, _contains_cidr)),
        _member("masked", M, lambda c: {CIDR: str(_cidr(c)[0])}),
        _member("prefixLength", INT, lambda c: _cidr(c)[0].prefixlen),
    ]  # fmt: skip


_LINK_LOCAL_MULTICAST = {4: ipaddress.ip_network("224.0.0.0/24"), 6: ipaddress.ip_network("ff02::/16")}


def _global_unicast(value: Any) -> bool:
    """Go's net.IP.IsGlobalUnicast: not unspecified, loopback, link-local or multicast, not broadcast."""
    a = _ip(value)
    broadcast = a.version == 4 and str(a) == "255.255.255.255"
    return not (a.is_unspecified or a.is_loopback or a.is_link_local or a.is_multicast or broadcast)
