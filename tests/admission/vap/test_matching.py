"""Which requests a policy or binding applies to: resource rules, subresources, scope, names,
exclusions, namespace and object selectors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hullguard.admission.policy import Namespaces
from hullguard.admission.review import Request, make_review, parse_review
from hullguard.admission.vap.match import matches, rule_matches, selector_matches
from hullguard.admission.vap.model import Match, Rule

NAMESPACES = Namespaces(
    objects={"prod": {"metadata": {"name": "prod", "labels": {"env": "prod", "tier": "1"}}}}
)


def _rule(**kw: Any) -> Rule:
    base: dict[str, Any] = {"operations": ("*",), "groups": ("*",), "versions": ("*",), "resources": ("*",),
                            "scope": "*", "names": ()}  # fmt: skip
    return Rule(**{**base, **kw})


def _request(
    obj: dict[str, Any], *, namespace: str = "prod", sub: str = "", operation: str = "CREATE"
) -> Request:
    review = make_review(obj, namespace=namespace, operation=operation)
    review["request"]["subResource"] = sub
    return parse_review(json.dumps(review).encode())


POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}}}
DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"}}
NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}}


@pytest.mark.parametrize(
    ("rule", "request_", "expected"),
    [
        (_rule(resources=("pods",)), _request(POD), True),
        (_rule(resources=("pods",)), _request(POD, sub="status"), False),
        (_rule(resources=("pods/status",)), _request(POD, sub="status"), True),
        (_rule(resources=("pods/*",)), _request(POD, sub="ephemeralcontainers"), True),
        (_rule(resources=("*/status",)), _request(DEPLOY, sub="status"), True),
        (_rule(resources=("*",)), _request(DEPLOY, sub="scale"), False),
        (_rule(groups=("apps",)), _request(POD), False),
        (_rule(groups=("",), versions=("v1",)), _request(POD), True),
        (_rule(operations=("UPDATE",)), _request(POD), False),
        (_rule(scope="Namespaced"), _request(NODE, namespace=""), False),
        (_rule(scope="Cluster"), _request(NODE, namespace=""), True),
        (_rule(names=("web",)), _request(POD), True),
        (_rule(names=("other",)), _request(POD), False),
    ],
)
def test_resource_rules(rule: Rule, request_: Request, expected: bool) -> None:
    assert rule_matches(rule, request_) is expected


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        (None, {}, True),
        ({}, {"a": "b"}, True),
        ({"matchLabels": {"env": "prod"}}, {"env": "prod"}, True),
        ({"matchLabels": {"env": "prod"}}, {"env": "dev"}, False),
        (
            {"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "stage"]}]},
            {"env": "stage"},
            True,
        ),
        ({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]}, {}, True),
        (
            {"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]},
            {"env": "prod"},
            False,
        ),
        ({"matchExpressions": [{"key": "env", "operator": "Exists"}]}, {}, False),
        ({"matchExpressions": [{"key": "env", "operator": "DoesNotExist"}]}, {}, True),
        ({"matchExpressions": [{"key": "env", "operator": "Bogus"}]}, {"env": "x"}, False),
    ],
)
def test_label_selectors(selector: dict[str, Any] | None, labels: dict[str, str], expected: bool) -> None:
    assert selector_matches(selector, labels) is expected


def test_selectors_exclusions_and_absent_blocks() -> None:
    everything = (_rule(),)
    by_namespace = Match(rules=everything, exclude=(), object_selector=None,
                         namespace_selector={"matchLabels": {"tier": "1"}})  # fmt: skip
    assert matches(by_namespace, _request(POD), NAMESPACES, everything=False)
    assert not matches(by_namespace, _request(POD, namespace="dev"), NAMESPACES, everything=False)
    assert matches(by_namespace, _request(NODE, namespace=""), NAMESPACES, everything=False)  # cluster-scoped
    by_name = Match(rules=everything, exclude=(), object_selector=None,
                    namespace_selector={"matchLabels": {"kubernetes.io/metadata.name": "dev"}})  # fmt: skip
    assert matches(by_name, _request(POD, namespace="dev"), NAMESPACES, everything=False)
    by_object = Match(rules=everything, exclude=(), namespace_selector=None,
                      object_selector={"matchLabels": {"app": "web"}})  # fmt: skip
    assert matches(by_object, _request(POD), NAMESPACES, everything=False)
    assert not matches(by_object, _request(DEPLOY), NAMESPACES, everything=False)
    excluding = Match(rules=everything, exclude=(_rule(resources=("deployments",)),), namespace_selector=None,
                      object_selector=None)  # fmt: skip
    assert matches(excluding, _request(POD), NAMESPACES, everything=False)
    assert not matches(excluding, _request(DEPLOY), NAMESPACES, everything=False)
    assert not matches(None, _request(POD), NAMESPACES, everything=False)  # a policy without matchConstraints
    assert matches(None, _request(POD), NAMESPACES, everything=True)  # a binding without matchResources
