"""What an audit.k8s.io Policy logs for a resource: the first rule that matches every request to
it decides, as the API server's policy evaluator does. Rules limited to some users, groups,
verbs or namespaces do not decide for every request and are passed over."""

from __future__ import annotations

from typing import Any

# (resource, subresource, API group) CIS 3.2.2 and the audit-log rules need logged
KEY_RESOURCES = (
    ("secrets", "", ""),
    ("configmaps", "", ""),
    ("tokenreviews", "", "authentication.k8s.io"),
    ("pods", "exec", ""),
    ("pods", "attach", ""),
    ("clusterrolebindings", "", "rbac.authorization.k8s.io"),
    ("rolebindings", "", "rbac.authorization.k8s.io"),
)
NARROWING = ("users", "userGroups", "verbs", "namespaces", "nonResourceURLs")


def _covers(rule: dict[str, Any], resource: str, subresource: str, group: str) -> bool:
    if any(rule.get(key) for key in NARROWING):
        return False
    kinds = rule.get("resources")
    if not kinds:
        return True
    name = f"{resource}/{subresource}" if subresource else resource
    for kind in kinds:
        if not isinstance(kind, dict) or str(kind.get("group", "")) not in (group, "*"):
            continue
        if kind.get("resourceNames"):
            continue
        listed = [str(r) for r in kind.get("resources") or ()]
        if (
            not listed
            or name in listed
            or "*" in listed
            or f"{resource}/*" in listed
            or (subresource and f"*/{subresource}" in listed)
        ):
            return True
    return False


def level_for(policy: dict[str, Any], resource: str, subresource: str, group: str) -> str:
    """The level every request to the resource gets: `None` when no rule decides."""
    for rule in policy.get("rules") or ():
        if isinstance(rule, dict) and _covers(rule, resource, subresource, group):
            return str(rule.get("level", "None"))
    return "None"


def problems(policy: dict[str, Any]) -> list[str]:
    out = []
    for resource, subresource, group in KEY_RESOURCES:
        level = level_for(policy, resource, subresource, group)
        name = f"{resource}/{subresource}" if subresource else resource
        if level == "None":
            out.append(f"{name} are not audited (level None)")
        elif resource in ("secrets", "configmaps", "tokenreviews") and level in (
            "Request",
            "RequestResponse",
        ):
            out.append(
                f"{name} are logged at {level}: their contents (credentials) are written to the audit log"
            )
    return out
