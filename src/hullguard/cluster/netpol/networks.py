"""Primary user-defined networks (OVN-Kubernetes UDN and ClusterUDN): which network each namespace's
pods are on, and which pairs they isolate (np-guard's --multiple-networks)."""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.cluster.model import Cluster
from hullguard.cluster.netpol.peers import IpRange, Peer, Workload
from hullguard.cluster.selectors import SelectorError, parse_selector
from hullguard.rules.kubernetes.objects import obj


@dataclass(frozen=True, slots=True)
class Network:
    kind: str
    """"pod" (the default pod network), "UDN" or "CUDN"."""
    name: str

    def __str__(self) -> str:
        return "pod-network" if self.kind == "pod" else f"{self.name}[{self.kind}]"


POD_NETWORK = Network("pod", "pod-network")
PRIMARY_LABEL = "k8s.ovn.org/primary-user-defined-network"
"""Only namespaces created with this label take a primary (C)UDN."""


def _primary(spec: dict[str, object]) -> bool:
    return any(obj(spec.get(layer)).get("role") == "Primary" for layer in ("layer2", "layer3"))


def primary_networks(cluster: Cluster, ns_labels: dict[str, dict[str, str]]) -> dict[str, Network]:
    """Namespace -> its primary network, where it is not the pod network."""
    found: dict[str, Network] = {}
    for o in cluster.of_kind("ClusterUserDefinedNetwork"):
        spec = obj(o.raw.get("spec"))
        if not _primary(obj(spec.get("network"))):
            continue
        try:
            selector = parse_selector(spec.get("namespaceSelector") or {})
        except SelectorError:
            continue
        for ns, labels in ns_labels.items():
            if selector.matches(labels) and PRIMARY_LABEL in labels:
                found[ns] = Network("CUDN", o.name)
    for o in cluster.of_kind("UserDefinedNetwork"):
        udn_ns = o.namespace or "default"
        if _primary(obj(o.raw.get("spec"))) and PRIMARY_LABEL in ns_labels.get(udn_ns, {}):
            found[udn_ns] = Network("UDN", udn_ns)
    return found


def network_of(peer: Peer, networks: dict[str, Network]) -> Network | None:
    """None for peers outside the cluster (IP ranges, the ingress controller), which reach every network."""
    if isinstance(peer, IpRange) or not isinstance(peer, Workload) or str(peer) == "{ingress-controller}":
        return None
    return networks.get(peer.namespace, POD_NETWORK)


def isolated(a: Network | None, b: Network | None) -> bool:
    return a is not None and b is not None and a != b


def label(peer: Peer, network: Network | None) -> str:
    """How a peer is written in its network's section: UDN namespaces carry `[udn]`."""
    if (
        isinstance(peer, Workload)
        and network is not None
        and network.kind == "UDN"
        and peer.namespace == network.name
    ):
        return f"{peer.namespace}[udn]/{peer.name}[{peer.kind}]"
    return str(peer)
