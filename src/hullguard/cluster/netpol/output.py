"""The connectivity list in np-guard netpol-analyzer's formats: txt, json, csv, md, dot."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence

from hullguard.cluster.netpol.analyze import Analysis
from hullguard.cluster.netpol.conns import ALL
from hullguard.cluster.netpol.exposure import Exposure
from hullguard.cluster.netpol.ingress import IngressController
from hullguard.cluster.netpol.peers import IpRange, Peer, Workload


def _rows(result: Analysis) -> list[tuple[str, str, str]]:
    return sorted((str(c.src), str(c.dst), str(c.conns)) for c in result.connections)


def _triples(rows: list[tuple[str, str, str]], src_first: bool = True) -> list[dict[str, str]]:
    return [
        {"src": a, "dst": b, "conn": c} if src_first else {"src": b, "dst": a, "conn": c} for a, b, c in rows
    ]


def _csv(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _md_table(first: str, second: str, rows: list[tuple[str, str, str]]) -> list[str]:
    return [
        f"| {first} | {second} | conn |",
        "|-----|-----|------|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
    ]


def render(result: Analysis, fmt: str) -> str:
    if fmt == "dot":
        return render_dot(result)
    rows = _rows(result)
    exposure = exposure_lines(result) if result.exposure is not None else None
    if fmt == "json":
        if exposure is None:
            return json.dumps(_triples(rows), indent=2)
        egress, ingress = exposure[0], exposure[1]
        doc = {
            "connlist_results": _triples(rows),
            "exposure_results": {
                "egress_exposure": _triples(egress) or None,  # Go writes an empty list as null here
                "ingress_exposure": _triples(ingress, src_first=False) or None,
            },
        }
        return json.dumps(doc, indent=2)
    if fmt == "csv":
        text = _csv([("src", "dst", "conn"), *rows])
        if exposure is not None:
            egress, ingress = exposure[0], exposure[1]
            text += _csv([["Exposure Analysis Result:", "", ""]])
            if egress:
                text += _csv([["Egress Exposure:", "", ""], ["src", "dst", "conn"], *egress])
            if ingress:
                text += _csv([["Ingress Exposure:", "", ""], ["dst", "src", "conn"], *ingress])
        return text
    if fmt == "md":
        lines = _md_table("src", "dst", rows)
        if exposure is None:
            return "\n".join(lines) + "\n"
        egress, ingress = exposure[0], exposure[1]
        sections = [
            "### Egress Exposure:\n" + "\n".join(_md_table("src", "dst", egress)) + "\n" if egress else "",
            "### Ingress Exposure:\n" + "\n".join(_md_table("dst", "src", ingress)) + "\n" if ingress else "",
        ]
        return "\n".join([*lines, "## Exposure Analysis Result:", *sections])
    text = "".join(f"{s} => {d} : {c}\n" for s, d, c in rows)
    if result.exposure is not None:
        text += ("\n" if text else "") + render_exposure_txt(result)
    return text


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
        elif isinstance(peer, Workload):
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
    reps: dict[str, list[str]] = {}
    if result.exposure is not None:
        edges += _exposure_edges(result.exposure, add, reps, external)
    lines = ["digraph {"]
    for table, color in ((groups, "black"), (reps, "red2")):
        for ns in sorted(table):
            label = ns.replace("-", "_")
            lines += [f'\tsubgraph "cluster_{label}" {{', f'\t\tcolor="{color}"', f'\t\tfontcolor="{color}"']
            lines += sorted(table[ns])
            lines += [f'\t\tlabel="{ns}"', "\t}"]
    lines += sorted(external) + sorted(edges) + ["}"]
    return "\n".join(lines) + "\n"


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


def exposure_lines(
    result: Analysis,
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]], list[str], int]:
    """(egress rows, ingress rows, unprotected lines, width) where a row is (workload, other end, conns)."""
    exp = result.exposure
    assert exp is not None
    exposed = {str(w) for w in (*exp.egress, *exp.ingress)}
    egress: list[tuple[str, str, str]] = []
    ingress: list[tuple[str, str, str]] = []
    unprotected = []
    for table, rows, word in ((exp.egress, egress, "Egress"), (exp.ingress, ingress, "Ingress")):
        for w, entries in table.items():
            if entries is None:
                rows.append((str(w), "entire-cluster", "All Connections"))
                unprotected.append(f"{w} is not protected on {word}")
            else:
                rows.extend((str(w), str(t) if t else "entire-cluster", str(c)) for t, c in entries)
    for c in result.connections:
        if isinstance(c.src, IpRange) and str(c.dst) in exposed:
            ingress.append((str(c.dst), str(c.src), str(c.conns)))
        if isinstance(c.dst, IpRange) and str(c.src) in exposed:
            egress.append((str(c.src), str(c.dst), str(c.conns)))
    width = max((len(p) for p in exposed), default=0)
    return sorted(egress), sorted(ingress), sorted(unprotected), width


def render_exposure_txt(result: Analysis) -> str:
    egress, ingress, unprotected, width = exposure_lines(result)
    out = "Exposure Analysis Result:\n"
    if egress:
        out += "Egress Exposure:\n" + "".join(f"{w:<{width}} \t=> \t{o} : {c}\n" for w, o, c in egress)
    if ingress:
        out += ("\n" if egress else "") + "Ingress Exposure:\n"
        out += "".join(f"{w:<{width}} \t<= \t{o} : {c}\n" for w, o, c in ingress)
    if unprotected:
        out += "\nWorkloads not protected by network policies:\n" + "".join(f"{u}\n" for u in unprotected)
    return out
