"""What each subject can do that matters: dangerous capabilities per binding, and admin equivalence."""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.cluster.rbac.model import Binding, Rbac, Role
from hullguard.cluster.rbac.resources import Resource
from hullguard.cluster.rbac.whocan import groups_of, rule_grants
from hullguard.model.finding import Subject


@dataclass(frozen=True, slots=True, kw_only=True)
class Capability:
    rule_id: str
    name: str
    """How a step reads: "read secrets", "create pods"."""
    checks: tuple[tuple[str, Resource], ...]
    """(verb, resource): any one of them, granted without resourceNames, gives the capability."""


def _r(resource: str, group: str = "", sub: str = "", namespaced: bool = True) -> Resource:
    return Resource(resource=resource, group=group, subresource=sub, namespaced=namespaced)


WORKLOADS = (_r("pods"), _r("deployments", "apps"), _r("daemonsets", "apps"), _r("statefulsets", "apps"),
             _r("replicasets", "apps"), _r("jobs", "batch"), _r("cronjobs", "batch"), _r("replicationcontrollers"))  # fmt: skip
CAPABILITIES = (
    Capability(rule_id="HG-CL-001", name="read secrets", checks=tuple((v, _r("secrets")) for v in ("get", "list", "watch"))),
    Capability(rule_id="HG-CL-002", name="create pods", checks=tuple(("create", r) for r in WORKLOADS)),
    Capability(rule_id="HG-CL-003", name="exec into pods",
               checks=tuple(("create", _r("pods", sub=s)) for s in ("exec", "attach", "portforward"))),
    Capability(rule_id="HG-CL-004", name="bind or escalate roles", checks=tuple(
        (v, _r(r, "rbac.authorization.k8s.io")) for v in ("bind", "escalate") for r in ("roles", "clusterroles"))),
    Capability(rule_id="HG-CL-005", name="impersonate", checks=tuple(
        ("impersonate", _r(r, namespaced=r == "serviceaccounts")) for r in ("users", "groups", "serviceaccounts"))),
    Capability(rule_id="HG-CL-006", name="proxy to kubelets", checks=(("get", _r("nodes", sub="proxy", namespaced=False)),
                                                                     ("create", _r("nodes", sub="proxy", namespaced=False)))),
    Capability(rule_id="HG-CL-007", name="create service account tokens", checks=(("create", _r("serviceaccounts", sub="token")),)),
    Capability(rule_id="HG-CL-008", name="approve certificates", checks=(
        ("update", _r("certificatesigningrequests", "certificates.k8s.io", "approval", namespaced=False)),)),
    Capability(rule_id="HG-CL-009", name="change admission webhooks", checks=tuple(
        (v, _r(r, "admissionregistration.k8s.io", namespaced=False))
        for v in ("create", "update", "patch") for r in ("validatingwebhookconfigurations", "mutatingwebhookconfigurations"))),
    Capability(rule_id="HG-CL-010", name="do anything", checks=(("*", _r("*", "*")),)),
)  # fmt: skip
ADMIN_EQUIVALENT = frozenset({"HG-CL-004", "HG-CL-005", "HG-CL-008", "HG-CL-010"})
"""Held cluster-wide, each of these is cluster-admin: the subject can give itself any right."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Held:
    capability: Capability
    binding: Binding
    role: Role
    namespace: str | None
    """None: cluster-wide."""

    @property
    def admin(self) -> bool:
        return self.namespace is None and self.capability.rule_id in ADMIN_EQUIVALENT


def _has(role: Role, verb: str, want: Resource) -> bool:
    for rule in role.rules:
        if verb == "*":
            if (
                "*" in rule.verbs
                and "*" in rule.resources
                and "*" in rule.api_groups
                and not rule.resource_names
            ):
                return True
            continue
        ok, names = rule_grants(rule, verb, want)
        if ok and not names:
            return True
    return False


def holdings(rbac: Rbac) -> dict[Subject, list[Held]]:
    """Each subject named by a binding, with the capabilities that binding gives it."""
    held: dict[Subject, list[Held]] = {}
    for binding in rbac.bindings:
        role = rbac.role_of(binding)
        if role is None:
            continue
        scope = None if binding.ref.kind == "ClusterRoleBinding" else binding.ref.namespace
        caps = [
            c for c in CAPABILITIES
            if any(_has(role, v, r) for v, r in c.checks if scope is None or r.namespaced)
        ]  # fmt: skip
        for subject in binding.subjects:
            held.setdefault(subject, []).extend(
                Held(capability=c, binding=binding, role=role, namespace=scope) for c in caps
            )
    return held


def effective(subject: Subject, held: dict[Subject, list[Held]]) -> list[Held]:
    """A subject's own capabilities and those of the built-in groups it belongs to."""
    return [h for s in groups_of(subject) for h in held.get(s, ())]
