"""The Kubernetes CEL libraries as users write them in policies: quantity, regex, lists, strings, url, ip, cidr."""

from __future__ import annotations

from typing import Any

import pytest

from hullguard.admission.vap.cel import CelCompileError, compile_expression, evaluate

DATA: dict[str, Any] = {"object": {"spec": {"replicas": 3, "limit": "1Gi"}}, "params": None}


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("quantity('1Gi').isGreaterThan(quantity('512Mi'))", True),
        ("quantity('1') == quantity('1000m')", True),
        ("quantity(object.spec.limit).compareTo(quantity('1073741824')) == 0", True),
        ("quantity('1.5').add(quantity('500m')).asInteger()", 2),
        ("quantity('2k').sub(1000).isInteger() && quantity('-3').sign() == -1", True),
        ("quantity('500m').asApproximateFloat()", 0.5),
        ("isQuantity('10Mi') && !isQuantity('10MB')", True),
        ("[1, 2, 3].isSorted() && ![3, 1].isSorted()", True),
        ("[1, 2, 3].sum() == 6 && [4, 2].min() == 2 && ['a', 'c'].max() == 'c'", True),
        ("[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2 && ['x'].indexOf('y') == -1", True),
        ("'abc123def456'.find('[0-9]+')", "123"),
        ("'abc123def456'.findAll('[0-9]+')", ["123", "456"]),
        ("'abc123def456'.findAll('[0-9]+', 1)", ["123"]),
        ("'Hello'.lowerAscii() + 'x'.upperAscii()", "helloX"),
        ("'a,b,c'.split(',', 2)", ["a", "b,c"]),
        ("' pad '.trim() + 'hello'.substring(1, 3) + 'hello'.charAt(4)", "padelo"),
        ("['a', 'b'].join('-') + 'aaa'.replace('a', 'b', 2)", "a-bbba"),
        ("'hello'.indexOf('l') == 2 && 'hello'.lastIndexOf('l') == 3", True),
        ("url('https://user@example.com:8443/a%20b?x=1&x=2').getHostname()", "example.com"),
        (
            "url('https://example.com:8443/p').getPort() + url('https://example.com/p').getScheme()",
            "8443https",
        ),
        ("url('https://example.com/p?x=1&x=2').getQuery()['x']", ["1", "2"]),
        ("url('https://[::1]:80/').getHostname()", "::1"),
        ("isURL('https://example.com') && !isURL('not a url')", True),
        ("ip('10.0.0.1').family() == 4 && ip('::1').family() == 6", True),
        (
            "ip('127.0.0.1').isLoopback() && ip('0.0.0.0').isUnspecified() && ip('8.8.8.8').isGlobalUnicast()",
            True,
        ),
        ("ip('169.254.1.1').isLinkLocalUnicast() && ip('224.0.0.1').isLinkLocalMulticast()", True),
        (
            "isIP('1.2.3.4') && !isIP('1.2.3') && !isIP('::ffff:1.2.3.4') && ip.isCanonical('2001:db8::1')",
            True,
        ),
        ("!ip.isCanonical('2001:DB8::1')", True),
        ("cidr('10.0.0.0/8').containsIP('10.1.2.3') && !cidr('10.0.0.0/8').containsIP(ip('11.0.0.1'))", True),
        (
            "cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16') && !cidr('10.1.0.0/16').containsCIDR(cidr('10.0.0.0/8'))",
            True,
        ),
        ("cidr('10.1.2.3/8').masked() == cidr('10.0.0.0/8') && cidr('10.1.2.3/8').prefixLength() == 8", True),
        ("cidr('10.1.2.3/8').ip() == ip('10.1.2.3') && isCIDR('::1/128') && !isCIDR('10.0.0.0')", True),
        ("object.spec.?replicas.orValue(1) + object.spec.?missing.orValue(1)", 4),
        ("sets.contains([1, 2, 3], [3, 1]) && !sets.contains([1], [2])", True),
        ("sets.equivalent([1, 2, 2], [2, 1]) && !sets.equivalent([1], [1, 2])", True),
        ("sets.intersects(['a', 'b'], ['b']) && !sets.intersects(['a'], [])", True),
        ("base64.encode(b'hi') == 'aGk=' && math.greatest(1, 5, 3) == 5", True),
    ],
)
def test_library_functions(expression: str, value: Any) -> None:
    result = evaluate(compile_expression(expression, "test"), DATA)
    assert result.error is None, result.error
    assert result.value == value


@pytest.mark.parametrize(
    ("expression", "said"),
    [
        ("quantity('10MB') == quantity('1')", "quantities must match"),
        ("quantity('1.5').asInteger() == 1", "cannot convert value to integer"),
        ("ip('1.2.3') == ip('1.2.3.4')", "parse error"),
        ("'abc'.substring(2, 1) == ''", "invalid substring range"),
        ("object.spec.missing == 1", "resulted in error"),
        ("[].max() == 1", "empty list"),
    ],
)
def test_errors_are_evaluation_errors_not_exceptions(expression: str, said: str) -> None:
    result = evaluate(compile_expression(expression, "test"), DATA)
    assert result.value is None
    assert result.error is not None and said in result.error
    assert result.error.startswith(f"expression '{expression}' resulted in error: ")


def test_compile_errors_name_the_place_and_position() -> None:
    with pytest.raises(CelCompileError, match=r"policy.yaml:3: .*expression:1:11: Syntax error") as e:
        compile_expression("object.x +", "policy.yaml:3: validations[0]", "bool")
    assert "..........^" in str(e.value)
    with pytest.raises(CelCompileError, match="must evaluate to bool, not int"):
        compile_expression("1 + 1", "here", "bool")
    with pytest.raises(CelCompileError, match="undeclared reference to 'nosuch'"):
        compile_expression("nosuch(object)", "here", "bool")


def test_regexes_are_re2_linear_time_and_without_backreferences() -> None:
    hostile = {"object": {"name": "a" * 5000 + "!"}}
    result = evaluate(compile_expression("object.name.find('(a+)+$')", "test"), hostile)
    assert result.error is None and result.value == ""
    refused = evaluate(compile_expression("'aa'.find('(a)\\\\1') == 'aa'", "test"), DATA)
    assert refused.error is not None and "invalid regular expression" in refused.error
