"""Secondary networks (Multus NetworkAttachmentDefinitions): which workloads share one, and what
MultiNetworkPolicies allow on it. No external peer is on a secondary network."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from hullguard.cluster.model import Cluster
from hullguard.cluster.netpol.conns import ALL, NONE, Conns
from hullguard.cluster.netpol.peers import Workload
from hullguard.cluster.netpol.policy import (
    NetworkPolicy,
    PeerSpec,
    PolicyError,
    parse_policy,
    peer_matches,
    policy_issue,
)
from hullguard.model import Issue
from hullguard.rules.kubernetes.objects import obj

POLICY_FOR = "k8s.v1.cni.cncf.io/policy-for"


@dataclass(frozen=True, slots=True, kw_only=True)
class MultiPolicy:
    policy: NetworkPolicy
    networks: tuple[tuple[str, str], ...]
    """(network, namespace of its NetworkAttachmentDefinition) from the policy-for annotation."""


def attachment_definitions(cluster: Cluster) -> dict[str, set[str]]:
    """Network name -> namespaces that define it."""
    found: dict[str, set[str]] = {}
    for o in cluster.of_kind("NetworkAttachmentDefinition"):
        found.setdefault(o.name, set()).add(o.namespace or "default")
    return found


def load_multi_policies(cluster: Cluster, issues: list[Issue]) -> list[MultiPolicy]:
    found = []
    for o in cluster.of_kind("MultiNetworkPolicy"):
        annotation = obj(obj(o.raw.get("metadata")).get("annotations")).get(POLICY_FOR)
        try:
            if not isinstance(annotation, str) or not annotation.strip():
                raise PolicyError(f"the {POLICY_FOR} annotation is missing")
            policy = parse_policy(o)
        except PolicyError as e:
            issues.append(policy_issue(o, e))
            continue
        nets = []
        for item in annotation.split(","):
            ns, _, name = item.strip().rpartition("/")
            nets.append((name, ns or policy.namespace))
        found.append(MultiPolicy(policy=policy, networks=tuple(nets)))
    return found


def networks_of(w: Workload, nads: dict[str, set[str]]) -> set[str]:
    """The secondary networks a workload is really attached to (its definition exists)."""
    return {name for name, ns, _ in w.secondary if (ns or w.namespace) in nads.get(name, set())}


def _ips_in(w: Workload, network: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    for name, _, ips in w.secondary:
        if name != network:
            continue
        for address in ips:
            try:
                value = int(ipaddress.ip_address(address.split("/")[0]))
            except ValueError:
                continue
            if any(lo <= value <= hi for lo, hi in ranges):
                return True
    return False


@dataclass(slots=True)
class SecondaryEvaluator:
    policies: list[MultiPolicy]
    nads: dict[str, set[str]]
    ns_labels: dict[str, dict[str, str]]

    def allowed(self, src: Workload, dst: Workload, network: str) -> Conns:
        out = self._direction(src, dst, network, ingress=False)
        return NONE if out.empty else out.intersect(self._direction(dst, src, network, ingress=True))

    def _direction(self, selected: Workload, other: Workload, network: str, *, ingress: bool) -> Conns:
        chosen = [
            m.policy for m in self.policies
            if m.policy.namespace == selected.namespace
            and any(n == network and ns in self.nads.get(n, set()) for n, ns in m.networks)
            and (m.policy.ingress if ingress else m.policy.egress) is not None
            and m.policy.selects(selected)
        ]  # fmt: skip
        if not chosen:
            return ALL
        target = selected if ingress else other
        result = NONE
        for p in chosen:
            for rule in (p.ingress if ingress else p.egress) or ():
                if rule.peers is None or any(
                    self._matches(s, other, p.namespace, network) for s in rule.peers
                ):
                    result = result.union(rule.conns(target))
        return result

    def _matches(self, spec: PeerSpec, other: Workload, policy_ns: str, network: str) -> bool:
        if spec.ip:
            return _ips_in(other, network, spec.cidr)
        if other.kind == "VirtualMachine":
            return False  # virtual machines are selected by ipBlock only
        return peer_matches(spec, other, policy_ns, self.ns_labels)
