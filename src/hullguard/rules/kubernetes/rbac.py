"""Kubernetes RBAC rules: wildcards, escalation verbs, secret reads, exec, powerful bindings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullguard.rules.base import Violation, kubernetes_rule
from hullguard.rules.kubernetes.objects import KubeObject, obj, seq

ROLES = frozenset({"Role", "ClusterRole"})
BINDINGS = frozenset({"RoleBinding", "ClusterRoleBinding"})


def _rules(o: KubeObject) -> Iterator[tuple[int, set[str], set[str], set[str]]]:
    """(index, verbs, resources, apiGroups) of each rule of a Role or ClusterRole."""
    if o.kind not in ROLES:
        return
    for n, r in enumerate(seq(o.raw.get("rules"))):
        r = obj(r)
        yield (
            n,
            {str(v) for v in seq(r.get("verbs"))},
            {str(x) for x in seq(r.get("resources"))},
            {str(g) for g in seq(r.get("apiGroups"))},
        )


def _grants(verbs: set[str], wanted: set[str]) -> bool:
    return "*" in verbs or bool(verbs & wanted)


def _core(groups: set[str], *others: str) -> bool:
    """The rule covers the core API group (where pods, secrets and nodes live) or the named ones."""
    return bool(groups & {"", "*", *others})


@kubernetes_rule("HG-K8S-030")
def wildcard(o: KubeObject) -> Iterator[Violation]:
    for n, verbs, resources, groups in _rules(o):
        which = [
            w for w, s in (("verbs", verbs), ("resources", resources), ("apiGroups", groups)) if "*" in s
        ]
        if which and (which != ["apiGroups"]):
            yield Violation(
                f"{o.kind} {o.name} rule {n} uses '*' in {', '.join(which)}", node=o.at("rules", n)
            )


@kubernetes_rule("HG-K8S-031")
def escalation_verbs(o: KubeObject) -> Iterator[Violation]:
    for n, verbs, resources, _ in _rules(o):
        found = sorted(verbs & {"escalate", "bind", "impersonate"})
        if found:
            yield Violation(
                f"{o.kind} {o.name} grants {', '.join(found)} on {', '.join(sorted(resources)) or '?'}",
                node=o.at("rules", n, "verbs"),
            )


@kubernetes_rule("HG-K8S-032")
def read_secrets(o: KubeObject) -> Iterator[Violation]:
    for n, verbs, resources, groups in _rules(o):
        if ({"secrets", "*"} & resources) and _core(groups) and _grants(verbs, {"get", "list", "watch"}):
            yield Violation(f"{o.kind} {o.name} can read Secrets", node=o.at("rules", n))


@kubernetes_rule("HG-K8S-033")
def pod_exec(o: KubeObject) -> Iterator[Violation]:
    for n, verbs, resources, groups in _rules(o):
        if (
            ({"pods/exec", "pods/attach", "*"} & resources)
            and _core(groups)
            and _grants(verbs, {"create", "get"})
        ):
            yield Violation(f"{o.kind} {o.name} can exec into pods", node=o.at("rules", n))


@kubernetes_rule("HG-K8S-034")
def create_workloads(o: KubeObject) -> Iterator[Violation]:
    workloads = {"pods", "deployments", "daemonsets", "statefulsets", "replicasets", "jobs", "cronjobs", "*"}
    for n, verbs, resources, groups in _rules(o):
        if (
            (workloads & resources)
            and _core(groups, "apps", "batch")
            and _grants(verbs, {"create", "update", "patch"})
        ):
            yield Violation(
                f"{o.kind} {o.name} can create or change workloads, which run as any service account",
                node=o.at("rules", n),
            )


@kubernetes_rule("HG-K8S-035")
def node_proxy(o: KubeObject) -> Iterator[Violation]:
    for n, verbs, resources, groups in _rules(o):
        if ({"nodes/proxy", "*"} & resources) and _core(groups) and _grants(verbs, {"get", "create"}):
            yield Violation(
                f"{o.kind} {o.name} can reach the kubelet API through nodes/proxy", node=o.at("rules", n)
            )


def _subjects(o: KubeObject) -> list[tuple[int, dict[str, Any]]]:
    return [(n, obj(s)) for n, s in enumerate(seq(o.raw.get("subjects")))]


@kubernetes_rule("HG-K8S-036")
def cluster_admin_binding(o: KubeObject) -> Iterator[Violation]:
    role = obj(o.raw.get("roleRef")).get("name")
    if o.kind in BINDINGS and (
        role == "cluster-admin" or (o.kind == "ClusterRoleBinding" and role in ("admin", "edit"))
    ):
        yield Violation(f"{o.kind} {o.name} grants {role} across the cluster", node=o.at("roleRef"))


@kubernetes_rule("HG-K8S-037")
def anonymous_binding(o: KubeObject) -> Iterator[Violation]:
    if o.kind not in BINDINGS:
        return
    for n, s in _subjects(o):
        if s.get("name") in ("system:anonymous", "system:unauthenticated", "system:authenticated"):
            yield Violation(f"{o.kind} {o.name} grants a role to {s.get('name')}", node=o.at("subjects", n))


RULES = (
    wildcard,
    escalation_verbs,
    read_secrets,
    pod_exec,
    create_workloads,
    node_proxy,
    cluster_admin_binding,
    anonymous_binding,
)
