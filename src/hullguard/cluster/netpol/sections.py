"""The txt connectivity list with multiple networks: one section per primary network (pod network,
each UDN, each ClusterUDN), then the workload-to-networks mapping, as np-guard writes them."""

from __future__ import annotations

import csv
import io
import json

from hullguard.cluster.netpol.analyze import Analysis
from hullguard.cluster.netpol.ingress import IngressController
from hullguard.cluster.netpol.networks import POD_NETWORK, label


def render_networks_txt(result: Analysis) -> str:
    assert result.networks is not None
    focus = result.focus.conn is not None
    sections: dict[tuple[str, str], list[str]] = {}
    for c in result.connections:
        net = c.network or POD_NETWORK
        line = f"{label(c.src, net)} => {label(c.dst, net)}" + ("" if focus else f" : {c.conns}")
        sections.setdefault((net.kind, net.name), []).append(line)
    pod = sorted(sections.pop(("pod", "pod-network"), []))
    out = f"Permitted connections on {result.focus.conn}:\n" if focus else ""
    if sections and (pod or not focus):
        out += "Permitted connectivity analyzed in Pod network:\n"
        if not pod:
            in_pod = [w for w in result.workloads if w.namespace not in result.networks]
            out += (
                "All connections are not allowed for the workloads in the pod-network"
                if in_pod
                else "all input workloads are configured with (C)UDN as their primary network interface"
            ) + "\n"
    out += "".join(f"{line}\n" for line in pod)
    for kind, role in (("UDN", "primary"), ("CUDN", "primary"), ("NAD", "secondary")):
        for (k, name), lines in sorted(sections.items()):
            if k == kind:
                out += f"\nPermitted connectivity analyzed in {role} {kind} {name}:\n" + "".join(
                    f"{x}\n" for x in sorted(lines)
                )
    mapping = sorted(
        (str(w), str(result.networks.get(w.namespace, POD_NETWORK)))
        for w in result.workloads
        if not isinstance(w, IngressController)
    )
    if mapping and not focus:
        out += "\nWorkload-to-Networks Mapping:\n"
        for w, n in mapping:
            out += f"{w}: \n\tPrimary Network: {n}\n"
            if result.attached.get(w):
                out += "\tSecondary Networks: " + ",".join(f"{x}[NAD]" for x in result.attached[w]) + "\n"
    return out


def network_rows(result: Analysis) -> list[tuple[str, str, str, str]]:
    """(src, dst, conns, network name) with UDN labels, sorted as np-guard sorts them."""
    rows = []
    for c in result.connections:
        net = c.network or POD_NETWORK
        rows.append((label(c.src, net), label(c.dst, net), str(c.conns), net.name))
    return sorted(rows, key=lambda r: (r[0], r[1], r[3]))


def render_networks_table(result: Analysis, fmt: str) -> str:
    """json, csv and md with multiple networks: one table, a network column (json has none)."""
    focus = result.focus.conn is not None
    rows = [(s, d, *(() if focus else (c,)), n) for s, d, c, n in network_rows(result)]
    header = ("src", "dst", *(() if focus else ("conn",)), "network")
    if fmt == "json":
        return json.dumps([dict(zip(header[:-1], r[:-1], strict=True)) for r in rows], indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
        return buffer.getvalue()
    end = " |" if focus else " | "  # np-guard's two md row formats differ by a trailing space
    rule = "|-----|-----|------|" if focus else "|-----|-----|------|------|"
    return (
        "\n".join(["| " + " | ".join(header) + end, rule, *("| " + " | ".join(r) + end for r in rows)]) + "\n"
    )
