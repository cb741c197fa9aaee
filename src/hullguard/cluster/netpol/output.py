"""The connectivity list in np-guard netpol-analyzer's formats: txt, json, csv, md, dot."""

from __future__ import annotations

import csv
import io
import json

from hullguard.cluster.netpol.analyze import Analysis
from hullguard.cluster.netpol.ingress import IngressController
from hullguard.cluster.netpol.peers import IpRange, Peer


def _rows(result: Analysis) -> list[tuple[str, str, str]]:
    return sorted((str(c.src), str(c.dst), str(c.conns)) for c in result.connections)


def render(result: Analysis, fmt: str) -> str:
    if fmt == "dot":
        return render_dot(result)
    rows = _rows(result)
    if fmt == "json":
        return json.dumps([{"src": s, "dst": d, "conn": c} for s, d, c in rows], indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([("src", "dst", "conn"), *rows])
        return buffer.getvalue()
    if fmt == "md":
        return "| src | dst | conn |\n|-----|-----|------|\n" + "".join(
            f"| {s} | {d} | {c} |\n" for s, d, c in rows
        )
    return "".join(f"{s} => {d} : {c}\n" for s, d, c in rows)


def render_dot(result: Analysis) -> str:
    """np-guard's graphviz layout: workloads grouped by namespace, external peers, then edges, each sorted."""
    groups: dict[str, list[str]] = {}
    external: list[str] = []
    seen: set[str] = set()

    def add(peer: Peer) -> None:
        name = str(peer)
        if name in seen:
            return
        seen.add(name)
        if isinstance(peer, IpRange):
            external.append(f'\t"{name}" [label="{name}" color="red2" fontcolor="red2"]')
        elif isinstance(peer, IngressController):
            external.append(f'\t"{name}" [label="{name}" color="blue" fontcolor="blue"]')
        else:
            groups.setdefault(f"{peer.namespace}[namespace]", []).append(
                f'\t\t"{name}" [label="{peer.name}[{peer.kind}]" color="blue" fontcolor="blue"]'
            )

    edges = []
    for c in result.connections:
        src, dst = str(c.src), str(c.dst)
        weight = "0.5" if src <= dst else "1"
        edges.append(
            f'\t"{src}" -> "{dst}" [label="{c.conns}" color="gold2" fontcolor="darkgreen" weight={weight}]'
        )
        add(c.src)
        add(c.dst)
    for w in result.workloads:
        if result.focus.listed(w):
            add(w)
    lines = ["digraph {"]
    for ns in sorted(groups):
        label = ns.replace("-", "_")
        lines += [f'\tsubgraph "cluster_{label}" {{', '\t\tcolor="black"', '\t\tfontcolor="black"']
        lines += sorted(groups[ns])
        lines += [f'\t\tlabel="{ns}"', "\t}"]
    lines += sorted(external) + sorted(edges) + ["}"]
    return "\n".join(lines) + "\n"
