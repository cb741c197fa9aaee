"""Kubernetes objects read from YAML documents, and a workload view that makes all pod owners alike."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from hullguard.rules.base import NodePath
from hullguard.rules.kubernetes.yamldoc import YamlDoc

POD_TEMPLATE_AT: dict[str, NodePath] = {
    "Pod": (),
    "PodTemplate": ("template",),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
CONTAINER_LISTS: tuple[tuple[str, Literal["init", "container", "ephemeral"]], ...] = (
    ("initContainers", "init"),
    ("containers", "container"),
    ("ephemeralContainers", "ephemeral"),
)


def obj(value: Any) -> dict[str, Any]:
    """A mapping, or an empty one where YAML holds null or something else."""
    return value if isinstance(value, dict) else {}


def seq(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass(frozen=True, slots=True, kw_only=True)
class Container:
    name: str
    image: str
    kind: Literal["init", "container", "ephemeral"]
    node: NodePath
    spec: dict[str, Any]

    @property
    def security_context(self) -> dict[str, Any]:
        return obj(self.spec.get("securityContext"))

    def sc_node(self, *keys: str | int) -> NodePath:
        return (*self.node, "securityContext", *keys)

    @property
    def resources(self) -> dict[str, Any]:
        return obj(self.spec.get("resources"))

    @property
    def env(self) -> list[dict[str, Any]]:
        return [e for e in seq(self.spec.get("env")) if isinstance(e, dict)]


@dataclass(frozen=True, slots=True, kw_only=True)
class Workload:
    """The pod template of a Pod, Deployment, CronJob, ...: metadata, spec and containers."""

    node: NodePath
    meta: dict[str, Any]
    spec: dict[str, Any]
    containers: tuple[Container, ...]

    def spec_node(self, *keys: str | int) -> NodePath:
        return (*self.node, "spec", *keys)

    @property
    def security_context(self) -> dict[str, Any]:
        return obj(self.spec.get("securityContext"))

    @property
    def volumes(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for n, v in enumerate(seq(self.spec.get("volumes"))):
            if isinstance(v, dict):
                yield n, v


@dataclass(frozen=True, slots=True, kw_only=True)
class ManifestContext:
    """Facts about every object of one scan that single-object rules need."""

    network_policy_namespaces: frozenset[str] = frozenset()
    namespace_anchors: frozenset[tuple[str, int, NodePath]] = frozenset()
    """(path, document, node) of the object that stands for each namespace: its Namespace object,
    or else the first workload placed in it."""
    pss_version: int = 37
    """The Pod Security Standards policy version, as the minor of v1.N."""


@dataclass(frozen=True, slots=True, kw_only=True)
class KubeObject:
    path: str
    doc: YamlDoc
    base: NodePath
    api_version: str
    kind: str
    name: str
    namespace: str | None
    raw: dict[str, Any]
    workload: Workload | None
    context: ManifestContext = field(default_factory=ManifestContext)

    def at(self, *keys: str | int) -> NodePath:
        return (*self.base, *keys)


def manifest_context(objects: list[KubeObject], pss_version: int) -> ManifestContext:
    anchors: dict[str, tuple[str, int, NodePath]] = {}
    for o in objects:
        if o.kind == "Namespace":
            anchors[o.name] = (o.path, o.doc.index, o.base)
    for o in sorted(objects, key=lambda o: (o.path, o.doc.index, o.base)):
        if o.workload is not None:
            anchors.setdefault(o.namespace or "default", (o.path, o.doc.index, o.base))
    return ManifestContext(
        network_policy_namespaces=frozenset(
            o.namespace or "default" for o in objects if o.kind == "NetworkPolicy"
        ),
        namespace_anchors=frozenset(anchors.values()),
        pss_version=pss_version,
    )


def make_workload(raw: dict[str, Any], kind: str, base: NodePath) -> Workload | None:
    rel = POD_TEMPLATE_AT.get(kind)
    if rel is None:
        return None
    template: Any = raw
    for key in rel:
        template = obj(template).get(str(key))
    template = obj(template)
    spec = obj(template.get("spec"))
    node = (*base, *rel)
    containers = tuple(
        Container(
            name=str(c.get("name") or ""),
            image=str(c.get("image") or ""),
            kind=kind_,
            node=(*node, "spec", key, n),
            spec=c,
        )
        for key, kind_ in CONTAINER_LISTS
        for n, c in enumerate(seq(spec.get(key)))
        if isinstance(c, dict)
    )
    return Workload(node=node, meta=obj(template.get("metadata")), spec=spec, containers=containers)


def iter_objects(doc: YamlDoc, path: str) -> Iterator[KubeObject]:
    """The Kubernetes objects of one document: itself, or the items of a `List` kind."""
    data = doc.data
    if not isinstance(data, dict) or "kind" not in data or "apiVersion" not in data:
        return
    if str(data["kind"]).endswith("List") and isinstance(data.get("items"), list):
        for n, item in enumerate(data["items"]):
            if isinstance(item, dict) and "kind" in item:
                yield _object(item, doc, path, ("items", n))
        return
    yield _object(data, doc, path, ())


def _object(raw: dict[str, Any], doc: YamlDoc, path: str, base: NodePath) -> KubeObject:
    kind = str(raw.get("kind"))
    meta = obj(raw.get("metadata"))
    namespace = meta.get("namespace")
    return KubeObject(
        path=path,
        doc=doc,
        base=base,
        api_version=str(raw.get("apiVersion", "")),
        kind=kind,
        name=str(meta.get("name") or meta.get("generateName") or ""),
        namespace=str(namespace) if namespace is not None else None,
        raw=raw,
        workload=make_workload(raw, kind, base),
    )
