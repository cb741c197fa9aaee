"""Who can VERB RESOURCE: every subject a binding grants it to, with the exact RBAC matching rules."""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.cluster.rbac.model import Binding, PolicyRule, Rbac
from hullguard.cluster.rbac.resources import Resource
from hullguard.model.finding import KubeObject as ObjectRef
from hullguard.model.finding import Subject


@dataclass(frozen=True, slots=True, kw_only=True)
class Grant:
    subject: Subject
    binding: ObjectRef
    role: ObjectRef
    namespace: str | None
    """Where the grant holds: a namespace, or None for cluster-wide (a ClusterRoleBinding)."""
    resource_names: tuple[str, ...] = ()
    """Non-empty: only these named objects (restricted, never blanket access)."""


def verb_matches(rule: PolicyRule, verb: str) -> bool:
    return "*" in rule.verbs or verb in rule.verbs


def resource_matches(rule: PolicyRule, want: Resource) -> bool:
    """The API server's own test: `*` covers every resource and subresource; `*/scale` a subresource
    of any resource; `pods` never covers `pods/exec`."""
    if "*" not in rule.api_groups and want.group not in rule.api_groups:
        return False
    combined = want.combined
    for r in rule.resources:
        if r == "*" or r == combined:
            return True
        if want.subresource and r == f"*/{want.subresource}":
            return True
    return False


def url_matches(rule: PolicyRule, url: str) -> bool:
    for pattern in rule.non_resource_urls:
        if pattern == "*" or pattern == url or (pattern.endswith("*") and url.startswith(pattern[:-1])):
            return True
    return False


def rule_grants(rule: PolicyRule, verb: str, want: Resource) -> tuple[bool, tuple[str, ...]]:
    """(allowed, resource names it is restricted to)."""
    if not verb_matches(rule, verb):
        return False, ()
    if want.url:
        return url_matches(rule, want.url), ()
    if not resource_matches(rule, want):
        return False, ()
    return True, tuple(sorted(rule.resource_names))


def binding_applies(binding: Binding, want: Resource, namespace: str | None) -> bool:
    if binding.ref.kind == "ClusterRoleBinding":
        return True
    if want.url or not want.namespaced:
        return False  # a RoleBinding never grants cluster-scoped resources or URLs
    return namespace is None or binding.ref.namespace == namespace


def who_can(rbac: Rbac, verb: str, want: Resource, namespace: str | None = None) -> tuple[Grant, ...]:
    """Every (subject, binding, role) that allows `verb` on `want` in `namespace` (None: anywhere)."""
    grants: dict[tuple[object, ...], Grant] = {}
    for binding in rbac.bindings:
        if not binding_applies(binding, want, namespace):
            continue
        role = rbac.role_of(binding)
        if role is None:
            continue
        names: set[str] = set()
        blanket = False
        for rule in role.rules:
            ok, restricted = rule_grants(rule, verb, want)
            if ok and not restricted:
                blanket = True
            elif ok:
                names.update(restricted)
        if not blanket and not names:
            continue
        scope = None if binding.ref.kind == "ClusterRoleBinding" else binding.ref.namespace
        for subject in binding.subjects:
            g = Grant(
                subject=subject,
                binding=binding.ref,
                role=role.ref,
                namespace=scope,
                resource_names=() if blanket else tuple(sorted(names)),
            )
            grants[
                (
                    subject.kind,
                    subject.namespace or "",
                    subject.name,
                    binding.ref.kind,
                    binding.ref.namespace or "",
                    binding.ref.name,
                )
            ] = g
    return tuple(grants[k] for k in sorted(grants))


def groups_of(subject: Subject) -> tuple[Subject, ...]:
    """The built-in groups a subject belongs to, itself first."""
    names: tuple[str, ...]
    if subject.kind == "ServiceAccount":
        names = (
            "system:serviceaccounts",
            f"system:serviceaccounts:{subject.namespace}",
            "system:authenticated",
        )
    elif subject.kind == "User" and subject.name == "system:anonymous":
        names = ("system:unauthenticated",)
    elif subject.kind == "User":
        names = ("system:authenticated",)
    else:
        names = ()
    return (subject, *(Subject(kind="Group", name=n) for n in names))
