"""The cluster model: every object read from manifests, a dump or a live API, and what could not be read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from hullguard.model import Issue
from hullguard.rules.kubernetes.objects import KubeObject

KNOWN_KINDS = frozenset(
    {
        "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob",
        "ReplicationController", "PodTemplate", "Namespace", "ServiceAccount", "Secret", "ConfigMap",
        "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
        "NetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy",
        "Service", "Route", "Ingress", "Node", "Endpoints", "EndpointSlice",
        "VirtualMachine", "UserDefinedNetwork", "ClusterUserDefinedNetwork",
        "NetworkAttachmentDefinition", "MultiNetworkPolicy",
    }
)  # fmt: skip
"""Kinds some cluster analysis reads; any other kind is skipped with a note."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Cluster:
    objects: tuple[KubeObject, ...]
    issues: tuple[Issue, ...] = ()
    source: str = ""
    _by_kind: dict[str, tuple[KubeObject, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        groups: dict[str, list[KubeObject]] = {}
        for o in self.objects:
            groups.setdefault(o.kind, []).append(o)
        self._by_kind.update({k: tuple(v) for k, v in groups.items()})

    def of_kind(self, *kinds: str) -> Iterator[KubeObject]:
        for kind in kinds:
            yield from self._by_kind.get(kind, ())

    @property
    def namespaces(self) -> frozenset[str]:
        """Namespaces with a Namespace object or with any namespaced object in them."""
        named = {o.name for o in self.of_kind("Namespace")}
        return frozenset(named | {o.namespace for o in self.objects if o.namespace})


def where(o: KubeObject) -> str:
    """`file:line` of an object, for issues."""
    line = o.doc.lines(o.base)[0] if o.doc.spans else None
    return f"{o.path}:{line}" if line else o.path


def label(o: KubeObject) -> str:
    return f"{o.kind} {o.namespace}/{o.name}" if o.namespace else f"{o.kind} {o.name}"
