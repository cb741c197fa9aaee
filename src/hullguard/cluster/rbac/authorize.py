"""Is this user allowed this request? The API server's answer from RBAC objects: its authorizer
chain of the privileged group (system:masters) then RBAC, which allows or has no opinion (RBAC
never denies), with the reasons it gives (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from hullguard.cluster.rbac.model import Binding, PolicyRule, Rbac
from hullguard.cluster.rbac.resources import Resource
from hullguard.cluster.rbac.whocan import resource_matches, url_matches, verb_matches
from hullguard.model.finding import Subject

PRIVILEGED_GROUP = "system:masters"
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """Who asks: a user name and every group it belongs to."""

    name: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Attributes:
    """What is asked: a verb on a resource (group, resource, subresource, namespace, name) or on a
    non-resource path."""

    verb: str
    group: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    path: str | None = None
    """Set: a non-resource request (`/healthz`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthzDecision:
    allowed: bool
    reason: str = ""
    error: str = ""


def principal_of(user: dict[str, object]) -> Principal:
    """The principal of an AdmissionReview's `userInfo`, with the groups its authenticator adds
    (already there in a real review): system:authenticated (system:unauthenticated for
    system:anonymous) and a service account's system:serviceaccounts[:NS]."""
    name = str(user.get("username") or "")
    given = user.get("groups")
    groups = [str(g) for g in given] if isinstance(given, list) else []
    implied = ["system:unauthenticated"] if name == "system:anonymous" else ["system:authenticated"]
    if name.startswith(SERVICE_ACCOUNT_PREFIX) and name.count(":") == 3:
        implied += service_account_groups(name.split(":")[2])
    return Principal(name=name, groups=tuple(dict.fromkeys([*groups, *implied])))


def service_account_groups(namespace: str) -> list[str]:
    return ["system:serviceaccounts", f"system:serviceaccounts:{namespace}"]


def service_account(namespace: str, name: str) -> Principal:
    """A service account as `authorizer.serviceAccount(ns, name)` builds it: its two groups only
    (not system:authenticated, which the authenticator adds to real requests)."""
    return Principal(
        name=f"{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}", groups=tuple(service_account_groups(namespace))
    )


def _applies(subject: Subject, who: Principal) -> bool:
    if subject.kind == "User":
        return subject.name == who.name
    if subject.kind == "Group":
        return subject.name in who.groups
    return (
        bool(subject.namespace) and who.name == f"{SERVICE_ACCOUNT_PREFIX}{subject.namespace}:{subject.name}"
    )


def _allows(rule: PolicyRule, asked: Attributes) -> bool:
    if not verb_matches(rule, asked.verb):
        return False
    if asked.path is not None:
        return url_matches(rule, asked.path)
    want = Resource(resource=asked.resource, group=asked.group, subresource=asked.subresource)
    if not resource_matches(rule, want):
        return False
    return not rule.resource_names or asked.name in rule.resource_names


def _subject(subject: Subject) -> str:
    name = f"{subject.name}/{subject.namespace}" if subject.kind == "ServiceAccount" else subject.name
    return f"{subject.kind} {json.dumps(name)}"


def _describe(binding: Binding, subject: Subject) -> str:
    name = (
        binding.ref.name if binding.ref.namespace is None else f"{binding.ref.name}/{binding.ref.namespace}"
    )
    return (f"{binding.ref.kind} {json.dumps(name)} of {binding.role.kind} {json.dumps(binding.role.name)} "
            f"to {_subject(subject)}")  # fmt: skip


def _bindings(rbac: Rbac, namespace: str) -> list[Binding]:
    """ClusterRoleBindings, then the RoleBindings of the request's namespace (none for a
    cluster-scoped or non-resource request), as the API server visits them."""
    cluster = sorted(
        (b for b in rbac.bindings if b.ref.kind == "ClusterRoleBinding"), key=lambda b: b.ref.name
    )
    local = sorted((b for b in rbac.bindings if b.ref.kind == "RoleBinding" and namespace
                    and b.ref.namespace == namespace), key=lambda b: b.ref.name)  # fmt: skip
    return cluster + local


def authorize(rbac: Rbac, who: Principal, asked: Attributes) -> AuthzDecision:
    """Allowed with the API server's reason, or no opinion (not allowed) with the errors RBAC met
    on the way (a binding naming a role that does not exist) as its reason."""
    if PRIVILEGED_GROUP in who.groups:
        return AuthzDecision(allowed=True)
    errors: list[str] = []
    for binding in _bindings(rbac, "" if asked.path is not None else asked.namespace):
        subject = next((s for s in binding.subjects if _applies(s, who)), None)
        if subject is None:
            continue
        role = rbac.role_of(binding)
        if role is None:
            errors.append(
                f"{binding.role.kind.lower()}.rbac.authorization.k8s.io {json.dumps(binding.role.name)} not found"
            )
            continue
        if any(_allows(rule, asked) for rule in role.rules):
            return AuthzDecision(allowed=True, reason=f"RBAC: allowed by {_describe(binding, subject)}")
    unique = list(dict.fromkeys(errors))
    if not unique:
        return AuthzDecision(allowed=False)
    return AuthzDecision(
        allowed=False, reason="RBAC: " + (unique[0] if len(unique) == 1 else f"[{', '.join(unique)}]")
    )
