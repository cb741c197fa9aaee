"""Which requests a policy or binding applies to: resource rules, exclusions, namespace and object
selectors, as the API server's generic policy matcher decides."""

from __future__ import annotations

from typing import Any

from hullguard.admission.policy import Namespaces
from hullguard.admission.review import GroupVersionResource, Request
from hullguard.admission.vap.equivalent import equivalents
from hullguard.admission.vap.model import Match, Rule

NAME_LABEL = "kubernetes.io/metadata.name"


def _in(value: str, allowed: tuple[str, ...]) -> bool:
    return "*" in allowed or value in allowed


def _resource_matches(patterns: tuple[str, ...], resource: str, sub: str) -> bool:
    for pattern in patterns:
        res, _, psub = pattern.partition("/")
        if not sub and not psub and res in ("*", resource):
            return True
        if sub and psub and res in ("*", resource) and psub in ("*", sub):
            return True
    return False


def rule_matches(rule: Rule, request: Request, resource: GroupVersionResource | None = None) -> bool:
    """`resource`: an equivalent resource to match instead of the request's own."""
    gvr = resource or request.resource
    cluster_scoped = not request.namespace or (request.kind.kind == "Namespace" and not request.kind.group)
    scope_ok = rule.scope == "*" or (rule.scope == "Cluster") == cluster_scoped
    return (
        _in(request.operation, rule.operations)
        and _in(gvr.group, rule.groups)
        and _in(gvr.version, rule.versions)
        and _resource_matches(rule.resources, gvr.resource, request.sub_resource)
        and scope_ok
        and (not rule.names or request.name in rule.names)
    )


def rules_match(rules: tuple[Rule, ...], request: Request, equivalent: bool) -> bool:
    """Any rule matches the request's resource or, under matchPolicy Equivalent, one equivalent
    to it (the same object at another group/version), as the API server's matcher decides."""
    candidates = equivalents(request.resource) if equivalent else (request.resource,)
    return any(rule_matches(r, request, gvr) for gvr in candidates for r in rules)


def selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """A metav1.LabelSelector: null or empty matches everything."""
    if not selector:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(str(key)) != str(value):
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op = str(expr.get("key")), expr.get("operator")
        values = [str(v) for v in expr.get("values") or []]
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def labels_of(obj: dict[str, Any] | None) -> dict[str, str]:
    meta = (obj or {}).get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def namespace_labels(request: Request, namespaces: Namespaces) -> dict[str, str] | None:
    """The labels a namespaceSelector reads, or None for cluster-scoped objects (always matched)."""
    if request.kind.kind == "Namespace" and not request.kind.group:
        return {**labels_of(request.subject), NAME_LABEL: request.name}
    if not request.namespace:
        return None
    return {**namespaces.labels(request.namespace), NAME_LABEL: request.namespace}


def matches(match: Match | None, request: Request, namespaces: Namespaces, everything: bool) -> bool:
    """`everything`: what an absent match block means (bindings: all; policies: nothing)."""
    if match is None:
        return everything
    ns_labels = namespace_labels(request, namespaces)
    if ns_labels is not None and not selector_matches(match.namespace_selector, ns_labels):
        return False
    if match.object_selector and not any(
        selector_matches(match.object_selector, labels_of(o))
        for o in (request.object, request.old_object)
        if o is not None
    ):
        return False
    if match.rules and not rules_match(match.rules, request, match.equivalent):
        return False
    if not match.rules and not everything:
        return False
    return not rules_match(match.exclude, request, match.equivalent)
