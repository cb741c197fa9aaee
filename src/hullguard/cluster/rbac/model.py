"""Roles, bindings and subjects parsed from the cluster's RBAC objects; aggregated ClusterRoles resolved."""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.cluster.model import Cluster, label, where
from hullguard.cluster.selectors import Selector, SelectorError, parse_selector
from hullguard.model import Issue
from hullguard.model.finding import KubeObject as ObjectRef
from hullguard.model.finding import Subject
from hullguard.rules.kubernetes.objects import KubeObject, obj, seq


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyRule:
    verbs: frozenset[str]
    api_groups: frozenset[str]
    resources: frozenset[str]
    resource_names: frozenset[str]
    non_resource_urls: frozenset[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    ref: ObjectRef
    rules: tuple[PolicyRule, ...]
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Binding:
    ref: ObjectRef
    role: ObjectRef
    """The role it names: a ClusterRole (no namespace) or a Role in the binding's namespace."""
    subjects: tuple[Subject, ...]
    path: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rbac:
    roles: dict[tuple[str, str | None, str], Role]
    """(kind, namespace, name) -> role, with aggregated ClusterRoles' rules filled in."""
    bindings: tuple[Binding, ...]
    issues: tuple[Issue, ...]

    def role_of(self, binding: Binding) -> Role | None:
        return self.roles.get((binding.role.kind, binding.role.namespace, binding.role.name))

    def named_groups(self) -> dict[str, set[str]]:
        """resource -> the API groups the roles name it with (resolves custom resources for who-can)."""
        known: dict[str, set[str]] = {}
        for role in self.roles.values():
            for rule in role.rules:
                for r in rule.resources:
                    known.setdefault(r.split("/")[0], set()).update(rule.api_groups)
        return known


def _strings(value: object) -> frozenset[str]:
    return frozenset(str(v) for v in seq(value))


def _rules(o: KubeObject) -> tuple[PolicyRule, ...]:
    return tuple(
        PolicyRule(
            verbs=_strings(r.get("verbs")),
            api_groups=_strings(r.get("apiGroups")),
            resources=_strings(r.get("resources")),
            resource_names=_strings(r.get("resourceNames")),
            non_resource_urls=_strings(r.get("nonResourceURLs")),
        )
        for r in map(obj, seq(o.raw.get("rules")))
    )


def _subject(s: dict[str, object], binding: KubeObject) -> Subject | None:
    kind, name = str(s.get("kind") or ""), str(s.get("name") or "")
    if kind not in ("User", "Group", "ServiceAccount") or not name:
        return None
    namespace = s.get("namespace") or (binding.namespace if kind == "ServiceAccount" else None)
    return Subject(kind=kind, name=name, namespace=str(namespace) if namespace else None)


def parse_rbac(cluster: Cluster) -> Rbac:
    issues: list[Issue] = []
    roles: dict[tuple[str, str | None, str], Role] = {}
    selectors: dict[tuple[str, str | None, str], tuple[Selector, ...]] = {}
    for o in cluster.of_kind("Role", "ClusterRole"):
        ref = ObjectRef(kind=o.kind, name=o.name, namespace=o.namespace)
        labels = obj(obj(o.raw.get("metadata")).get("labels"))
        key = (o.kind, o.namespace, o.name)
        roles[key] = Role(
            ref=ref, rules=_rules(o), labels=tuple(sorted((str(k), str(v)) for k, v in labels.items()))
        )
        aggregation = obj(o.raw.get("aggregationRule"))
        if o.kind == "ClusterRole" and aggregation:
            try:
                selectors[key] = tuple(
                    parse_selector(s) for s in seq(aggregation.get("clusterRoleSelectors"))
                )
            except SelectorError as e:
                issues.append(Issue(stage="rbac", path=where(o), message=f"{label(o)}: aggregationRule: {e}"))
    _aggregate(roles, selectors)
    bindings: list[Binding] = []
    for o in cluster.of_kind("RoleBinding", "ClusterRoleBinding"):
        roleref = obj(o.raw.get("roleRef"))
        kind, name = str(roleref.get("kind") or ""), str(roleref.get("name") or "")
        if (
            kind not in ("Role", "ClusterRole")
            or not name
            or (o.kind == "ClusterRoleBinding" and kind == "Role")
        ):
            issues.append(
                Issue(
                    stage="rbac",
                    path=where(o),
                    message=f"{label(o)}: roleRef {kind or '?'} {name or '?'} is not valid; binding ignored",
                )
            )
            continue
        role = ObjectRef(kind=kind, name=name, namespace=o.namespace if kind == "Role" else None)
        if (kind, role.namespace, name) not in roles:
            issues.append(
                Issue(
                    stage="rbac",
                    path=where(o),
                    message=f"{label(o)}: roleRef names {role.label()}, which does not exist; it grants nothing",
                )
            )
        subjects = tuple(
            s for s in (_subject(obj(x), o) for x in seq(o.raw.get("subjects"))) if s is not None
        )
        bindings.append(
            Binding(
                ref=ObjectRef(kind=o.kind, name=o.name, namespace=o.namespace),
                role=role,
                subjects=subjects,
                path=o.path,
                line=o.doc.lines(o.base)[0] if o.doc.spans else None,
            )
        )
    return Rbac(roles=roles, bindings=tuple(bindings), issues=tuple(issues))


def _aggregate(
    roles: dict[tuple[str, str | None, str], Role],
    selectors: dict[tuple[str, str | None, str], tuple[Selector, ...]],
) -> None:
    """Fill aggregated ClusterRoles with the rules of the ClusterRoles their selectors match,
    to a fixed point (the controller does the same, so aggregates of aggregates resolve too)."""
    changed = True
    while changed:
        changed = False
        for key, sels in selectors.items():
            role = roles[key]
            rules = dict.fromkeys(role.rules)
            for other_key, other in roles.items():
                if (
                    other_key[0] == "ClusterRole"
                    and other_key != key
                    and any(s.matches(dict(other.labels)) for s in sels)
                ):
                    rules.update(dict.fromkeys(other.rules))
            if len(rules) != len(role.rules):
                roles[key] = Role(ref=role.ref, rules=tuple(rules), labels=role.labels)
                changed = True
