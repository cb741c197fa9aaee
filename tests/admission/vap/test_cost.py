"""The API server's CEL cost limits: 1,000,000 units per expression, 10,000,000 per policy evaluation."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from hullguard.admission.config import Settings, build_reviewer
from hullguard.admission.decision import Decision
from hullguard.admission.review import make_review, parse_review
from hullguard.admission.vap.cel import compile_expression, evaluate
from hullguard.admission.vap.cost import BUDGET_ERROR, LIMIT_ERROR, instrument
from hullguard.admission.vap.load import load_policy_set

HERE = Path(__file__).parent
NESTED = "object.spec.items.all(x, object.spec.items.all(y, x == y || x != y))"
# 111 units per inner iteration: over 90 items (8,100 iterations) 899,734 units, under the limit
HEAVY = "object.spec.items.all(x, object.spec.items.all(y, {}))".format(
    " && ".join(f"x + {100000 + k} != y" for k in range(27))
)


def _review(tmp_path: Path, expressions: list[str], size: int, failure: str = "Fail") -> Decision:
    policy = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
              "metadata": {"name": "costly"},
              "spec": {"failurePolicy": failure,
                       "matchConstraints": {"resourceRules": [{"apiGroups": ["*"], "apiVersions": ["*"],
                                                               "operations": ["*"], "resources": ["*"]}]},
                       "validations": [{"expression": e} for e in expressions]}}  # fmt: skip
    binding = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
               "metadata": {"name": "costly"}, "spec": {"policyName": "costly", "validationActions": ["Deny"]}}  # fmt: skip
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump_all([policy, binding]))
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "default"},
           "spec": {"items": list(range(size))}}  # fmt: skip
    reviewer = build_reviewer(Settings(vap_files=(path,)))
    return reviewer.review(parse_review(json.dumps(make_review(obj)).encode()))


def test_nested_all_over_a_large_list_is_cancelled_as_the_api_server_does(tmp_path: Path) -> None:
    started = time.monotonic()
    decision = _review(tmp_path, [NESTED], size=3000)  # 9 million iterations uncounted
    assert time.monotonic() - started < 10  # stopped at the limit, not run to the end
    assert not decision.allowed
    assert decision.message.endswith(
        f"ValidatingAdmissionPolicy 'costly' with binding 'costly' denied request: "
        f"expression '{NESTED}' resulted in error: {LIMIT_ERROR}"
    )


def test_failure_policy_ignore_admits_a_cancelled_expression(tmp_path: Path) -> None:
    assert _review(tmp_path, [NESTED], size=1000, failure="Ignore").allowed


def test_the_same_expression_over_a_small_list_is_within_the_limit(tmp_path: Path) -> None:
    assert _review(tmp_path, [NESTED], size=90).allowed


def test_past_the_engines_iteration_limit_but_within_the_api_servers_cost(tmp_path: Path) -> None:
    """cel-expr-python stops at 10,000 iterations; the API server would admit this (359,568 units):
    the error says so rather than pretending to be the API server's."""
    decision = _review(tmp_path, [NESTED], size=200)
    assert not decision.allowed
    assert "hullguard's CEL engine stops after 10,000 loop iterations" in decision.message
    assert "projected at 359,568" in decision.message


def test_short_circuit_is_not_charged(tmp_path: Path) -> None:
    """`all` stops at the first false element, as in cel-go: only what runs costs."""
    early_false = "object.spec.items.all(x, x < 0 && object.spec.items.all(y, x != y))"
    decision = _review(tmp_path, [early_false], size=3000)
    assert (
        not decision.allowed
        and "failed expression" in decision.message
        and LIMIT_ERROR not in decision.message
    )


def test_expressions_within_the_limit_that_together_exhaust_the_policy_budget(tmp_path: Path) -> None:
    # 899,734 units each: eleven fit in 10,000,000, the twelfth does not
    decision = _review(tmp_path, [HEAVY] * 12, size=90)
    assert not decision.allowed
    assert decision.message.endswith(
        f"ValidatingAdmissionPolicy 'costly' with binding 'costly' denied request: {BUDGET_ERROR}"
    )
    assert _review(tmp_path, [HEAVY] * 12, size=90, failure="Ignore").allowed
    assert _review(tmp_path, [HEAVY] * 11, size=90).allowed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a.all(x, x > 0)", "(__loop(size(a)) ? (a.all(x,(__step(5) ? ( x > 0) : false))) : __never())"),
        ("a.map(x, x * 2)", "(__loop(size(a)) ? (a.map(x,(__step(5) ? ( x * 2) : __never()))) : __never())"),
        ("a.map(x, x > 0, x)", "(__loop(size(a)) ? (a.map(x,(__step(6) ? ( x > 0) : false), x)) : __never())"),
        ("'.all(' + r'''.map(x''' + \"a.exists(\"", "'.all(' + r'''.map(x''' + \"a.exists(\""),
        ("f(a.b[0]).all(x, x.c.exists(y, y)) // .all(",
         "(__loop(size(f(a.b[0]))) ? (f(a.b[0]).all(x,(__step(6) ? ( x.c.exists(y,(__cost(4) ? ( y) : false))) : false)))"
         " : __never()) // .all("),
        ("a.filter(x, x).all(y, y)",
         "(__loop(size(a)) ? (a.filter(x,(__step(4) ? ( x) : false))) : __never()).all(y,(__step(4) ? ( y) : false))"),
    ],
)  # fmt: skip
def test_instrumentation_keeps_strings_and_comments(text: str, expected: str) -> None:
    assert instrument(text)[0] == expected


def test_every_test_policy_expression_is_instrumented() -> None:
    count = 0
    for name in ("k8s_docs.yaml", "k8s_plugin.yaml", "api_server.yaml"):
        for case in yaml.safe_load((HERE / name).read_text()):
            docs = (
                list(yaml.safe_load_all(case["policies"])) if "policies" in case else [{"spec": case["spec"]}]
            )
            for doc in docs:
                for text in _expressions(doc.get("spec") or {}):
                    assert compile_expression(text, "test").tracked, text
                    count += 1
    assert count > 100


def _expressions(spec: dict[str, Any]) -> list[str]:
    found = []
    for key, field in (("validations", "expression"), ("validations", "messageExpression"),
                       ("matchConditions", "expression"), ("variables", "expression"),
                       ("auditAnnotations", "valueExpression")):  # fmt: skip
        found += [
            str(item[field]) for item in spec.get(key) or [] if isinstance(item, dict) and field in item
        ]
    return [f for f in found if "LONG" not in f]


def test_an_evaluation_outside_a_policy_has_its_own_budget() -> None:
    program = compile_expression("[1, 2, 3].all(x, [1, 2, 3].exists(y, x == y))", "test")
    assert evaluate(program, {"object": None}).value is True
    assert load_policy_set(()).definitions == ()
