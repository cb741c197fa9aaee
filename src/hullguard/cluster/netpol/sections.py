"""The txt connectivity list with multiple networks: one section per primary network (pod network,
each UDN, each ClusterUDN), then the workload-to-networks mapping, as np-guard writes them."""

from __future__ import annotations

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
    for kind in ("UDN", "CUDN"):
        for (k, name), lines in sorted(sections.items()):
            if k == kind:
                out += f"\nPermitted connectivity analyzed in primary {kind} {name}:\n" + "".join(
                    f"{x}\n" for x in sorted(lines)
                )
    mapping = sorted(
        (str(w), str(result.networks.get(w.namespace, POD_NETWORK)))
        for w in result.workloads
        if result.focus.listed(w) and not isinstance(w, IngressController)
    )
    if mapping and not focus:
        out += "\nWorkload-to-Networks Mapping:\n" + "".join(
            f"{w}: \n\tPrimary Network: {n}\n" for w, n in mapping
        )
    return out
