"""string() and type() as the API server evaluates them, the Kubernetes library values included.

Documented examples restated (no code copied): the "converting ... to a string" and "type of ..."
cases of kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/cel/library/ip_test.go and
cidr_test.go, and the quantity examples of the page "Common Expression Language in Kubernetes"
(kubernetes/website content/en/docs/reference/using-api/cel.md). Copyright The Kubernetes
Authors, Apache-2.0 / CC BY 4.0. cel-go's formatting (Go's %g, RFC 3339 with nanoseconds,
durations in seconds) is restated from its documented behaviour.
"""

from __future__ import annotations

from typing import Any

import pytest

from hullguard.admission.vap.cel import CelCompileError, compile_expression, evaluate
from hullguard.admission.vap.convert import go_double, rewrite

DATA: dict[str, Any] = {"object": {"spec": {"port": 8080, "ratio": 0.5, "items": [1], "labels": {"a": "b"},
                                            "name": "web"}}}  # fmt: skip


def _value(expression: str) -> Any:
    result = evaluate(compile_expression(expression, "test"), DATA)
    assert result.error is None, result.error
    return result.value


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        # ip_test.go / cidr_test.go
        ('string(ip("192.168.0.1"))', "192.168.0.1"),
        ('type(ip("192.168.0.1")) == net.IP', True),
        ('string(cidr("192.168.0.0/24"))', "192.168.0.0/24"),
        ('type(cidr("192.168.0.0/24")) == net.CIDR', True),
        # the canonical spellings netip prints
        ("string(ip('2001:DB8:0:0:0::68'))", "2001:db8::68"),
        ("string(cidr('10.1.2.3/8'))", "10.1.2.3/8"),
        ("string(cidr('10.1.2.3/8').masked()) + ' ' + string(cidr('10.1.2.3/8').ip())", "10.0.0.0/8 10.1.2.3"),
        ("string(cidr('2001:DB8::/32'))", "2001:db8::/32"),
        # cel.md, quantity library examples
        ('quantity("500000G").isInteger()', True),
        ('quantity("50k").asInteger()', 50000),
        ('quantity("9999999999999999999999999999999999999G").asApproximateFloat() > 1e45', True),
        ('quantity("50k").sub(20000) == quantity("30k")', True),
        ('quantity("50k").add(20).sub(quantity("100k")).sub(-50000) == quantity("20")', True),
        ('quantity("200M").compareTo(quantity("0.2G"))', 0),
        ('quantity("150Mi").isGreaterThan(quantity("100Mi"))', True),
        ('quantity("50M").isLessThan(quantity("100M"))', True),
        # type() of library values: their own types, equal to themselves only
        ("type(quantity('1')) == type(quantity('2Gi')) && type(quantity('1')) == kubernetes.Quantity", True),
        ("type(url('https://example.com')) == kubernetes.URL", True),
        ("type(ip('1.2.3.4')) != type(cidr('1.2.3.0/24')) && type(ip('1.2.3.4')) != map", True),
        ("[type(ip('::1')), type(1)] == [net.IP, int]", True),
        ("type(object.spec.labels) == map && type(object.spec.items) == list && type(object.spec.port) == int", True),
        # the documentation's int-or-string check keeps working through the rewrite
        ("type(object.spec.name) == string ? object.spec.name == 'web' : object.spec.name == 1000", True),
        # string() of the plain types as cel-go formats them
        ("string(object.spec.port) + ':' + string(object.spec.ratio)", "8080:0.5"),
        ("string(1u) + string(true) + string(b'abc') + string('x')", "1trueabcx"),
        ("string(timestamp('2023-01-01T00:00:00.5Z'))", "2023-01-01T00:00:00.5Z"),
        ("string(timestamp('2023-01-01T10:00:00+02:00'))", "2023-01-01T08:00:00Z"),
        ("string(duration('1.5s')) + ' ' + string(duration('1m')) + ' ' + string(duration('-2ms'))", "1.5s 60s -0.002s"),
        ("[ip('10.0.0.1'), ip('10.0.0.2')].map(a, string(a)).join(',')", "10.0.0.1,10.0.0.2"),
    ],
)
def test_documented_and_plain_values(expression: str, value: Any) -> None:
    assert _value(expression) == value


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "1"), (1e6, "1e+06"), (123456.0, "123456"), (1234567.0, "1.234567e+06"), (0.0001, "0.0001"),
     (0.00001, "1e-05"), (-0.0, "-0"), (0.1 + 0.2, "0.30000000000000004"), (1e21, "1e+21"),
     (-2.5e-7, "-2.5e-07"), (float("inf"), "+Inf"), (float("-inf"), "-Inf"), (float("nan"), "NaN"),
     (1e100, "1e+100"), (100.0, "100")],
)  # fmt: skip
def test_doubles_format_as_go(value: float, text: str) -> None:
    assert go_double(value) == text


@pytest.mark.parametrize(
    ("expression", "said"),
    [
        ("string(quantity('1'))", "no such overload"),  # Quantity and URL have no string conversion
        ("string(url('https://example.com'))", "no such overload"),
        ("string(object.spec.labels)", "no such overload"),
        ("string(object.spec.items)", "string(list)"),
        ("string(b'\\xff')", "invalid UTF-8 in bytes"),
    ],
)
def test_unsupported_conversions_are_evaluation_errors(expression: str, said: str) -> None:
    result = evaluate(compile_expression(expression, "test"), DATA)
    assert result.error is not None and said in result.error
    assert "__" not in result.error


def test_what_does_not_compile_is_reported_as_written() -> None:
    with pytest.raises(CelCompileError, match=r"expression:1:7: found no matching overload for 'string'") as e:
        compile_expression("string([1])", "policy.yaml:3")
    assert "__string" not in str(e.value)
    with pytest.raises(CelCompileError, match="found no matching overload for 'add'"):
        compile_expression('quantity("50k").add("20k")', "cel.md's example, which the API server refuses too")


def test_the_rewrite_leaves_everything_else_alone() -> None:
    kept = "object.type == 'string(' && object.spec.type(1) // type(x)\n || object.net.IP"
    assert rewrite(kept) == kept
    assert rewrite("string(type(x))") == (
        "__string(((type(dyn(x)) == map && __lib(dyn(x))) ? __libtype(dyn(x)) : dyn(type(dyn(x)))))"
    )
    assert rewrite("string(unbalanced") == "string(unbalanced"
