"""The connectivity graph in np-guard's graphviz layout: workloads grouped by namespace, external
peers, connection edges, and (with exposure) representative peers and dashed exposure edges."""

from __future__ import annotations

from collections.abc import Callable

from hullguard.cluster.netpol.analyze import Analysis
from hullguard.cluster.netpol.conns import ALL
from hullguard.cluster.netpol.exposure import Exposure
from hullguard.cluster.netpol.ingress import IngressController
from hullguard.cluster.netpol.networks import Network
from hullguard.cluster.netpol.peers import IpRange, Peer, Workload


def render_dot(result: Analysis) -> str:
    """np-guard's graphviz layout: workloads grouped by namespace, external peers, then edges, each sorted."""
    groups: dict[str, list[str]] = {}
    udn: dict[str, list[str]] = {}
    cudn: dict[str, dict[str, list[str]]] = {}
    nad: dict[str, dict[str, list[str]]] = {}
    external: list[str] = []
    seen: set[str] = set()

    def add(peer: Peer, net: Network | None = None) -> None:
        name = node(peer, net)
        if name in seen:
            return
        seen.add(name)
        if isinstance(peer, IpRange):
            external.append(f'\t"{name}" [label="{name}" color="red2" fontcolor="red2"]')
        elif isinstance(peer, IngressController):
            external.append(f'\t"{name}" [label="{name}" color="blue" fontcolor="blue"]')
        elif isinstance(peer, Workload):
            line = f'\t\t"{name}" [label="{peer.name}[{peer.kind}]" color="blue" fontcolor="blue"]'
            if net is not None and net.kind == "UDN":
                udn.setdefault(f"{peer.namespace}[udn]", []).append(line)
            elif net is not None and net.kind in ("CUDN", "NAD"):
                (cudn if net.kind == "CUDN" else nad).setdefault(net.name, {}).setdefault(
                    f"{peer.namespace}[namespace]", []
                ).append(line)
            else:
                groups.setdefault(f"{peer.namespace}[namespace]", []).append(line)

    edges = []
    for c in result.connections:
        src, dst = node(c.src, c.network), node(c.dst, c.network)
        weight = "0.5" if src <= dst else "1"
        edges.append(
            f'\t"{src}" -> "{dst}" [label="{c.conns}" color="gold2" fontcolor="darkgreen" weight={weight}]'
        )
        add(c.src, c.network)
        add(c.dst, c.network)
    for w in result.workloads:
        if result.focus.listed(w):
            add(w)
    reps: dict[str, list[str]] = {}
    if result.exposure is not None:
        edges += _exposure_edges(result.exposure, add, reps, external)
    lines = ["digraph {"]
    if not udn and not cudn and not nad:
        lines += _ns_groups(groups, "black") + _ns_groups(reps, "red2")
    else:
        if groups or reps:
            pod = _ns_groups(groups, "black") + _ns_groups(reps, "red2")
            lines += ['\tsubgraph "cluster_pod_network" {', '\tlabel="pod network"', *pod, "\t}"]
        lines += _ns_groups(udn, "black")
        for table, suffix in ((cudn, "[cluster-udn]"), (nad, "[nad]")):
            for network in sorted(table):
                inner = _ns_groups(table[network], "black")
                lines += [f'\tsubgraph "cluster_{network}" {{', f'\tlabel="{network}{suffix}"', *inner, "\t}"]
    lines += sorted(external) + sorted(edges) + ["}"]
    return "\n".join(lines) + "\n"


def node(peer: Peer, net: Network | None) -> str:
    """A peer's node name; on a secondary network the network's name is appended (one node per network)."""
    return f"{peer}{net.name}" if net is not None and net.kind == "NAD" else str(peer)


def _ns_groups(table: dict[str, list[str]], color: str) -> list[str]:
    lines = []
    for ns in sorted(table):
        label = ns.replace("-", "_")  # dot does not take "-" in subgraph names
        lines += [f'\tsubgraph "cluster_{label}" {{', f'\t\tcolor="{color}"', f'\t\tfontcolor="{color}"']
        lines += sorted(table[ns])
        lines += [f'\t\tlabel="{ns}"', "\t}"]
    return lines


def _exposure_edges(
    exposure: Exposure, add: Callable[[Peer], None], reps: dict[str, list[str]], external: list[str]
) -> list[str]:
    """Dashed edges to the entire cluster and to representative peers, grouped by their namespace text."""
    edges = []
    seen: set[str] = set()
    for ingress, table in ((False, exposure.egress), (True, exposure.ingress)):
        for w, entries in table.items():
            add(w)
            for target, conns in entries if entries is not None else [(None, ALL)]:
                if target is None:
                    name = "entire-cluster"
                    if name not in seen:
                        seen.add(name)
                        external.append(
                            f'\t"{name}" [label="{name}" color="red2" fontcolor="red2" shape=diamond]'
                        )
                else:
                    pod, ns = target.pod_text(False), target.ns_text(False)
                    name = f"{pod}_in_{ns}"
                    if name not in seen:
                        seen.add(name)
                        reps.setdefault(f"{ns}[namespace]", []).append(
                            f'\t\t"{name}" [label="{pod}" color="red2" fontcolor="red2"]'
                        )
                if ingress:
                    edges.append(
                        f'\t"{name}" -> "{w}" [label="{conns}" color="darkorange2" fontcolor="darkgreen" weight=1 style=dashed]'
                    )
                else:
                    edges.append(
                        f'\t"{w}" -> "{name}" [label="{conns}" color="darkorange4" fontcolor="darkgreen" weight=0.5 style=dashed]'
                    )
    return edges
