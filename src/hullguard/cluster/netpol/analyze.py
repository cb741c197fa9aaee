"""Allowed connections between every pair of peers under the cluster's NetworkPolicies."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from hullguard.cluster.model import Cluster, label, where
from hullguard.cluster.netpol.admin import AdminPolicy, Layer, parse_admin
from hullguard.cluster.netpol.conns import ALL, NONE, Conns
from hullguard.cluster.netpol.exposure import Exposure, exposure_of, representatives
from hullguard.cluster.netpol.focus import Focus
from hullguard.cluster.netpol.ingress import CONTROLLER, CONTROLLER_NAMESPACE, ingress_reach
from hullguard.cluster.netpol.networks import Network, isolated, network_of, primary_networks
from hullguard.cluster.netpol.peers import MAX_IP, IpRange, Peer, Workload, iter_workloads
from hullguard.cluster.netpol.policy import (
    NetworkPolicy,
    PolicyError,
    parse_policy,
    peer_matches,
    policy_issue,
)
from hullguard.cluster.netpol.secondary import (
    SecondaryEvaluator,
    attachment_definitions,
    load_multi_policies,
    networks_of,
)
from hullguard.model import Issue
from hullguard.rules.kubernetes.objects import obj


@dataclass(frozen=True, slots=True, kw_only=True)
class Connection:
    src: Peer
    dst: Peer
    conns: Conns
    network: Network | None = None
    """With multiple networks: the primary network the pair talks on."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Analysis:
    workloads: tuple[Workload, ...]
    policies: tuple[NetworkPolicy, ...]
    connections: tuple[Connection, ...]
    issues: tuple[Issue, ...] = ()
    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)
    focus: Focus = field(default_factory=Focus)
    exposure: Exposure | None = None
    networks: dict[str, Network] | None = None
    """With multiple networks: namespace -> primary network (absent: the pod network)."""
    attached: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """With multiple networks: workload -> the secondary (NAD) networks it is attached to."""


def namespace_labels(cluster: Cluster) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for o in cluster.of_kind("Namespace"):
        meta = obj(o.raw.get("metadata"))
        labels[o.name] = {
            **{str(k): str(v) for k, v in obj(meta.get("labels")).items()},
            "kubernetes.io/metadata.name": o.name,
        }
    labels.setdefault(CONTROLLER_NAMESPACE, {"kubernetes.io/metadata.name": CONTROLLER_NAMESPACE})
    for ns in cluster.namespaces:
        labels.setdefault(ns, {"kubernetes.io/metadata.name": ns})
    return labels


def elementary_ranges(blocks: list[tuple[int, int]]) -> list[IpRange]:
    """The whole IPv4 space cut at every edge of every block: np-guard's disjoint IP peers."""
    cuts = {0, MAX_IP + 1}
    for lo, hi in blocks:
        cuts.update((lo, hi + 1))
    edges = sorted(cuts)
    return [IpRange(lo=a, hi=b - 1) for a, b in itertools.pairwise(edges)]


NO_FOCUS = Focus()


class Evaluator:
    def __init__(
        self,
        policies: list[NetworkPolicy],
        ns_labels: dict[str, dict[str, str]],
        admins: list[AdminPolicy] | None = None,
    ) -> None:
        self.policies = policies
        self.ns_labels = ns_labels
        self.anps = sorted((a for a in admins or () if not a.baseline), key=lambda a: (a.priority, a.name))
        self.banp = next((a for a in admins or () if a.baseline), None)
        self._ingress: dict[int, list[NetworkPolicy]] = {}
        self._egress: dict[int, list[NetworkPolicy]] = {}

    def selecting(self, w: Workload, ingress: bool) -> list[NetworkPolicy]:
        cache = self._ingress if ingress else self._egress
        key = id(w)
        if key not in cache:
            cache[key] = [
                p for p in self.policies if (p.ingress if ingress else p.egress) is not None and p.selects(w)
            ]
        return cache[key]

    def allowed(self, src: Peer, dst: Peer) -> Conns:
        out = self.direction(src, dst, ingress=False) if isinstance(src, Workload) else ALL
        if out.empty:
            return NONE
        inn = self.direction(dst, src, ingress=True) if isinstance(dst, Workload) else ALL
        return out.intersect(inn)

    def protected(self, w: Workload, ingress: bool) -> bool:
        """Some NetworkPolicy or admin policy selects the workload in this direction."""
        if self.selecting(w, ingress):
            return True
        admins = [*self.anps, *([self.banp] if self.banp else [])]
        return any(a.selects(w, self.ns_labels, ingress) for a in admins)

    def direction(self, selected: Workload, other: Peer, *, ingress: bool) -> Conns:
        """Admin policies first (by priority), then NetworkPolicies for what they pass or leave,
        then the baseline policy for what nothing above decided."""
        target = selected if ingress else other
        if not self.anps and self.banp is None:  # the common case: NetworkPolicies alone
            return (
                self._netpols(selected, other, target, ingress) if self.selecting(selected, ingress) else ALL
            )
        admin = Layer()
        for a in self.anps:
            if a.selects(selected, self.ns_labels, ingress):
                admin.add_policy(a.layer(other, target, self.ns_labels, ingress))
        if admin.allowed.union(admin.denied).is_all:
            return admin.allowed
        captured = not admin.empty
        if self.selecting(selected, ingress):
            np = self._netpols(selected, other, target, ingress)
            return admin.allowed.union(np.subtract(admin.denied)) if captured else np
        if admin.denied.empty and self.banp is None:
            return ALL
        denied = admin.denied
        if self.banp is not None and self.banp.selects(selected, self.ns_labels, ingress):
            baseline = self.banp.layer(other, target, self.ns_labels, ingress)
            denied = denied.union(baseline.denied.subtract(admin.allowed))
        return ALL.subtract(denied)

    def _netpols(self, selected: Workload, other: Peer, target: Peer | None, ingress: bool) -> Conns:
        policies = self.selecting(selected, ingress)
        result = NONE
        for p in policies:
            for rule in (p.ingress if ingress else p.egress) or ():
                if rule.peers is None or any(
                    peer_matches(s, other, p.namespace, self.ns_labels) for s in rule.peers
                ):
                    result = result.union(rule.conns(target))
        return result


def load_policies(cluster: Cluster, issues: list[Issue]) -> list[NetworkPolicy]:
    """Every valid NetworkPolicy; invalid ones, and (when the input names its namespaces) policies in
    a namespace that does not exist, become issues."""
    policies = []
    declared = {n.name for n in cluster.of_kind("Namespace")}
    for o in cluster.of_kind("NetworkPolicy"):
        try:
            policies.append(parse_policy(o))
        except PolicyError as e:
            issues.append(policy_issue(o, e))
            continue
        if declared and o.namespace not in declared:
            issues.append(
                Issue(
                    stage="netpol",
                    path=where(o),
                    message=f"{label(o)}: namespace {o.namespace} does not exist",
                )
            )
    return policies


def secondary_connections(
    cluster: Cluster,
    workloads: list[Workload],
    ns_labels: dict[str, dict[str, str]],
    focus: Focus,
    issues: list[Issue],
) -> list[Connection]:
    """Pairs that share a secondary (NAD) network, under its MultiNetworkPolicies."""
    nads = attachment_definitions(cluster)
    ev = SecondaryEvaluator(load_multi_policies(cluster, issues), nads, ns_labels)
    attached = [(w, networks_of(w, nads)) for w in workloads]
    found = []
    for src, src_nets in attached:
        for dst, dst_nets in attached:
            if src is dst or not focus.keeps(src, dst):
                continue
            for net in sorted(src_nets & dst_nets):
                conns = focus.narrow(ev.allowed(src, dst, net))
                if conns is not None:
                    found.append(Connection(src=src, dst=dst, conns=conns, network=Network("NAD", net)))
    return found


def load_admins(cluster: Cluster, issues: list[Issue]) -> list[AdminPolicy]:
    admins = []
    for o in cluster.of_kind("AdminNetworkPolicy", "BaselineAdminNetworkPolicy"):
        try:
            admins.append(parse_admin(o))
        except PolicyError as e:
            issues.append(policy_issue(o, e))
    return admins


def analyze(
    cluster: Cluster, focus: Focus = NO_FOCUS, exposure: bool = False, multiple_networks: bool = False
) -> Analysis:
    issues: list[Issue] = []
    src_blocks: list[tuple[int, int]] = []
    dst_blocks: list[tuple[int, int]] = []
    policies = load_policies(cluster, issues)
    admins = load_admins(cluster, issues)
    for a in admins:
        for admin_rule in a.egress:
            for admin_peer in admin_rule.peers:
                dst_blocks.extend(admin_peer.cidr)
    ns_labels = namespace_labels(cluster)
    workloads = iter_workloads(cluster)
    networks = primary_networks(cluster, ns_labels) if multiple_networks else None
    nads = attachment_definitions(cluster)
    for p in policies:
        for rules, blocks in ((p.ingress, src_blocks), (p.egress, dst_blocks)):
            for rule in rules or ():
                for spec in rule.peers or ():
                    blocks.extend(spec.cidr)
    srcs: list[Peer] = [*elementary_ranges(src_blocks), *workloads]
    dsts: list[Peer] = [*elementary_ranges(dst_blocks), *workloads]
    ev = Evaluator(policies, ns_labels, admins)
    found = []
    exposed = None
    if workloads and exposure and not focus.peers and not multiple_networks:  # as np-guard: not together
        reps = representatives(policies, admins, workloads, ns_labels)
        exposed = exposure_of(ev, workloads, reps, focus)
    if workloads:
        for src in srcs:
            for dst in dsts:
                if (isinstance(src, IpRange) and isinstance(dst, IpRange)) or src is dst:
                    continue
                if not focus.keeps(src, dst):
                    continue
                net = None
                if networks is not None:
                    src_net, dst_net = network_of(src, networks), network_of(dst, networks)
                    if isolated(src_net, dst_net):
                        continue  # separate primary networks never connect
                    net = src_net or dst_net
                conns = focus.narrow(ev.allowed(src, dst))
                if conns is not None:
                    found.append(Connection(src=src, dst=dst, conns=conns, network=net))
        if networks is not None:
            found += secondary_connections(cluster, workloads, ns_labels, focus, issues)
        for w, reach in ingress_reach(cluster, workloads).items():
            if not focus.keeps(CONTROLLER, w):
                continue
            allowed = focus.narrow(reach.intersect(ev.allowed(CONTROLLER, w)))
            if allowed is not None:
                net = network_of(w, networks) if networks is not None else None
                found.append(Connection(src=CONTROLLER, dst=w, conns=allowed, network=net))
    return Analysis(
        workloads=tuple(workloads),
        policies=tuple(policies),
        connections=tuple(found),
        issues=tuple(issues),
        namespaces=ns_labels,
        focus=focus,
        exposure=exposed,
        networks=networks,
        attached={str(w): tuple(sorted(networks_of(w, nads))) for w in workloads}
        if networks is not None
        else {},
    )
