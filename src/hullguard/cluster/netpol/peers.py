"""Workload peers (pods grouped by their owner) and external IP ranges, as np-guard names them."""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field

from hullguard.cluster.model import Cluster
from hullguard.cluster.selectors import Selector, canonical, render
from hullguard.rules.kubernetes.objects import KubeObject, obj, seq

WORKLOAD_KINDS = (
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
)
MAX_IP = (1 << 32) - 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Workload:
    namespace: str
    name: str
    kind: str
    labels: tuple[tuple[str, str], ...]
    ports: tuple[tuple[str, str, int], ...]
    """(name, protocol, number) of every container port."""
    object: KubeObject | None = field(default=None, compare=False)
    secondary: tuple[tuple[str, str, tuple[str, ...]], ...] = field(default=(), compare=False)
    """Multus attachments: (network, its namespace or "" for the pod's own, the pod's IPs on it)."""

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}[{self.kind}]"

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)


@dataclass(frozen=True, slots=True, kw_only=True)
class IpRange:
    lo: int
    hi: int

    def __str__(self) -> str:
        return f"{ipaddress.IPv4Address(self.lo)}-{ipaddress.IPv4Address(self.hi)}[External]"


@dataclass(frozen=True, slots=True, kw_only=True)
class Representative:
    """A pod that policy rules name by selectors but that may not exist yet (exposure analysis)."""

    namespace: str
    """Set only for a rule without namespaceSelector in a namespaced policy."""
    ns_selector: Selector
    pod_selector: Selector | None

    def ns_text(self, brackets: bool = True) -> str:
        ns = dict(self.ns_selector.labels)
        if len(ns) == 1 and not self.ns_selector.requirements and "kubernetes.io/metadata.name" in ns:
            return ns["kubernetes.io/metadata.name"]
        text = (
            "all namespaces" if self.ns_selector.empty else f"namespace with {{{render(self.ns_selector)}}}"
        )
        return f"[{text}]" if brackets else text

    def pod_text(self, brackets: bool = True) -> str:
        empty = self.pod_selector is None or self.pod_selector.empty
        text = "all pods" if empty else f"pod with {{{render(self.pod_selector)}}}"  # type: ignore[arg-type]
        return f"[{text}]" if brackets else text

    def __str__(self) -> str:
        return f"{self.ns_text()}/{self.pod_text()}"

    @property
    def key(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return canonical(self.ns_selector), canonical(self.pod_selector)


ENTIRE_CLUSTER = Representative(namespace="", ns_selector=Selector(), pod_selector=None)
"""Matches only rules that select every pod of every namespace."""

Peer = Workload | IpRange | Representative


def _ports(spec: dict[str, object]) -> tuple[tuple[str, str, int], ...]:
    found = []
    for c in seq(spec.get("containers")):
        for p in seq(obj(c).get("ports")):
            p = obj(p)
            number = p.get("containerPort")
            if isinstance(number, int):
                found.append((str(p.get("name") or ""), str(p.get("protocol") or "TCP"), number))
    return tuple(found)


def _labels(meta: dict[str, object]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(v)) for k, v in obj(meta.get("labels")).items()))


NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks"


def split_network(text: str) -> tuple[str, str]:
    """`ns/name` or `name` -> (name, ns or "")."""
    ns, _, name = text.rpartition("/")
    return name, ns


def attachments(annotation: object) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """The Multus networks annotation: `a, ns/b@if1` or a JSON list of {name, namespace, ips}."""
    if not isinstance(annotation, str) or not annotation.strip():
        return ()
    if any(c in annotation for c in '[{"'):
        try:
            items = json.loads(annotation)
        except ValueError:
            return ()
        return tuple(
            (str(i["name"]), str(i.get("namespace") or ""), tuple(str(x) for x in seq(i.get("ips"))))
            for i in map(obj, seq(items))
            if i.get("name")
        )
    return tuple((*split_network(n.strip().split("@")[0]), ()) for n in annotation.split(",") if n.strip())


CIDR_IN_TEXT = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}/\d{1,2}\b")


def vm_secondary_ips(spec: dict[str, object]) -> tuple[str, ...]:
    """Addresses a VM's cloud-init networkData gives its interfaces other than eth0 (the primary)."""
    found: list[str] = []
    for volume in map(obj, seq(spec.get("volumes"))):
        data = obj(volume.get("cloudInitNoCloud")).get("networkData")
        interface = ""
        for line in str(data or "").splitlines():
            line = line.strip()
            if line.endswith(":"):
                interface = line[:-1]
            elif interface and interface != "eth0":
                found += CIDR_IN_TEXT.findall(line)
    return tuple(found)


def iter_workloads(cluster: Cluster) -> list[Workload]:
    """One peer per owner: a workload object, or the controller owner of a scheduled Pod, or the Pod."""
    seen: dict[tuple[str, str, str], Workload] = {}
    for o in cluster.of_kind("VirtualMachine"):  # KubeVirt: labels from its template, no container ports
        template = obj(obj(o.raw.get("spec")).get("template"))
        key = (o.namespace or "default", o.name, o.kind)
        vm_spec = obj(template.get("spec"))
        multus = [obj(obj(n).get("multus")).get("networkName") for n in seq(vm_spec.get("networks"))]
        ips = vm_secondary_ips(vm_spec)
        secondary = tuple((*split_network(str(m)), ips) for m in multus if m)
        seen.setdefault(key, Workload(namespace=key[0], name=o.name, kind=o.kind, secondary=secondary,
                                      labels=_labels(obj(template.get("metadata"))), ports=(), object=o))  # fmt: skip
    for o in cluster.of_kind(*WORKLOAD_KINDS, "Pod"):
        w = o.workload
        if w is None:
            continue
        namespace = o.namespace or "default"
        name, kind = o.name, o.kind
        if o.kind == "Pod":
            owner = next(
                (
                    obj(r)
                    for r in seq(obj(o.raw.get("metadata")).get("ownerReferences"))
                    if obj(r).get("controller") is True
                ),
                None,
            )
            if owner is not None and owner.get("kind") != "Node":
                name, kind = str(owner.get("name") or ""), str(owner.get("kind") or "Pod")
                if kind == "VirtualMachineInstance":
                    kind = "VirtualMachine"  # a virt-launcher pod is its VM
        key = (namespace, name, kind)
        if key not in seen:
            seen[key] = Workload(
                namespace=namespace,
                name=name,
                kind=kind,
                labels=_labels(w.meta),
                ports=_ports(w.spec),
                object=o,
                secondary=attachments(obj(w.meta.get("annotations")).get(NETWORKS_ANNOTATION)),
            )
    return list(seen.values())
