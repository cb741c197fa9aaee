"""Exposure analysis (np-guard's --exposure): what each workload is open to beyond the pods that exist,
from the selectors its policies name (representative peers) and from rules that admit the whole cluster."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hullguard.cluster.netpol.admin import AdminPolicy
from hullguard.cluster.netpol.conns import Conns
from hullguard.cluster.netpol.focus import Focus, named
from hullguard.cluster.netpol.peers import ENTIRE_CLUSTER, Representative, Workload
from hullguard.cluster.netpol.policy import NetworkPolicy
from hullguard.cluster.selectors import Selector

if TYPE_CHECKING:
    from hullguard.cluster.netpol.analyze import Evaluator


@dataclass(slots=True)
class Exposure:
    """Per workload and direction: None when no policy protects it, else (representative peer, or
    None for the entire cluster; conns) entries."""

    ingress: dict[Workload, list[tuple[Representative | None, Conns]] | None] = field(default_factory=dict)
    egress: dict[Workload, list[tuple[Representative | None, Conns]] | None] = field(default_factory=dict)


def _ns_label(ns: str) -> Selector:
    return Selector(labels=(("kubernetes.io/metadata.name", ns),))


def representatives(policies: Iterable[NetworkPolicy], admins: Iterable[AdminPolicy], workloads: list[Workload],
                    ns_labels: dict[str, dict[str, str]]) -> list[Representative]:  # fmt: skip
    found: dict[object, Representative] = {}

    def add(rep: Representative) -> None:
        found.setdefault(rep.key, rep)

    for p in policies:
        for rules in (p.ingress, p.egress):
            for rule in rules or ():
                for spec in rule.peers or ():
                    if spec.ip:
                        continue
                    if (
                        spec.namespaces is not None
                        and spec.namespaces.empty
                        and (spec.pods is None or spec.pods.empty)
                    ):
                        break  # the rule admits the whole cluster: no representative for it
                    if spec.namespaces is None:
                        add(
                            Representative(
                                namespace=p.namespace,
                                ns_selector=_ns_label(p.namespace),
                                pod_selector=spec.pods,
                            )
                        )
                    else:
                        add(Representative(namespace="", ns_selector=spec.namespaces, pod_selector=spec.pods))
    for a in admins:
        for arule in (*a.ingress, *a.egress):
            for peer in arule.peers:
                if peer.networks or (peer.namespaces.empty and (peer.pods is None or peer.pods.empty)):
                    continue
                add(Representative(namespace="", ns_selector=peer.namespaces, pod_selector=peer.pods))
    kept = []
    for rep in found.values():
        pod, ns = rep.pod_selector, rep.ns_selector
        simple = pod is not None and not pod.requirements and not ns.requirements and pod.labels and ns.labels
        if (
            simple
            and pod is not None
            and any(
                pod.matches(w.label_map) and ns.matches(ns_labels.get(w.namespace, {})) for w in workloads
            )
        ):
            continue  # a real workload is exactly this: it is analysed as itself
        kept.append(rep)
    return kept


def exposure_of(
    ev: Evaluator, workloads: list[Workload], reps: list[Representative], focus: Focus
) -> Exposure:
    result = Exposure()
    for w in workloads:
        if not named(w, focus.workloads):
            continue
        for ingress, table in ((False, result.egress), (True, result.ingress)):
            if focus.direction and focus.direction != ("ingress" if ingress else "egress"):
                continue
            if not ev.protected(w, ingress):
                table[w] = None
                continue
            entire = ev.direction(w, ENTIRE_CLUSTER, ingress=ingress)
            shown = focus.narrow(entire)
            entries: list[tuple[Representative | None, Conns]] = [(None, shown)] if shown is not None else []
            for rep in reps:
                conns = ev.allowed(rep, w) if ingress else ev.allowed(w, rep)
                if focus.conn is not None:
                    # only the focus connection counts; already shown for the entire cluster, it is not repeated
                    if focus.narrow(conns) is None or shown is not None:
                        continue
                    conns = focus.conn
                elif (not entire.empty and conns == entire) or (entire.empty and conns.empty):
                    continue
                entries.append((rep, conns))
            if entries:
                table[w] = entries
    return result
