"""NetworkPolicy objects as values: who they select, and which peers and ports each rule allows."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from hullguard.cluster.model import label, where
from hullguard.cluster.netpol.conns import ALL, NONE, Conns
from hullguard.cluster.netpol.peers import IpRange, Peer, Representative, Workload
from hullguard.cluster.selectors import Selector, SelectorError, full_match, parse_selector
from hullguard.errors import Error
from hullguard.model import Issue
from hullguard.rules.kubernetes.objects import KubeObject, obj, seq


class PolicyError(Error):
    """A policy the API server would reject; reported, and the policy ignored."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PortSpec:
    protocol: str
    port: int | str | None
    end_port: int | None = None
    any_protocol: bool = False
    """A named port of an admin policy: the container port's own protocol."""

    def conns(self, target: Peer | None) -> Conns:
        if self.port is None:
            return Conns.of(self.protocol)
        if isinstance(self.port, int):
            return Conns.of(self.protocol, self.port, self.end_port or self.port)
        if isinstance(target, Representative) or target is None:
            # a pod that may exist: the port stays a name (an admin policy's names no protocol)
            return Conns.named("" if self.any_protocol else self.protocol, self.port)
        if not isinstance(target, Workload):
            return NONE  # a named port never matches an IP address
        for name, protocol, number in target.ports:
            if name == self.port and (protocol == self.protocol or self.any_protocol):
                return Conns.of(protocol, number, number)
        return NONE


@dataclass(frozen=True, slots=True, kw_only=True)
class PeerSpec:
    pods: Selector | None = None
    namespaces: Selector | None = None
    cidr: tuple[tuple[int, int], ...] = ()
    """ipBlock: the ranges of the CIDR with its exceptions removed."""
    ip: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSpec:
    peers: tuple[PeerSpec, ...] | None
    """None: any peer (the rule lists none)."""
    ports: tuple[PortSpec, ...]

    def conns(self, target: Peer | None) -> Conns:
        if not self.ports:
            return ALL
        result = NONE
        for p in self.ports:
            result = result.union(p.conns(target))
        return result


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkPolicy:
    namespace: str
    name: str
    selector: Selector
    ingress: tuple[RuleSpec, ...] | None
    """None: the policy does not restrict ingress."""
    egress: tuple[RuleSpec, ...] | None
    object: KubeObject

    def selects(self, w: Workload) -> bool:
        return w.namespace == self.namespace and self.selector.matches(w.label_map)


def _range(cidr: str) -> tuple[int, int]:
    net = ipaddress.ip_network(cidr, strict=False)
    if net.version != 4:
        raise PolicyError(f"IPv6 CIDR {cidr} is not supported")
    return int(net.network_address), int(net.broadcast_address)


def ip_block(raw: dict[str, object]) -> tuple[tuple[int, int], ...]:
    try:
        lo, hi = _range(str(raw.get("cidr")))
        ranges = [(lo, hi)]
        for ex in seq(raw.get("except")):
            elo, ehi = _range(str(ex))
            ranges = [piece for r in ranges for piece in _cut(r, elo, ehi)]
    except ValueError as e:
        raise PolicyError(f"ipBlock: {e}") from e
    return tuple(ranges)


def _cut(r: tuple[int, int], lo: int, hi: int) -> list[tuple[int, int]]:
    if hi < r[0] or lo > r[1]:
        return [r]
    return [x for x in ((r[0], lo - 1), (hi + 1, r[1])) if x[0] <= x[1]]


def _peer(raw: dict[str, object]) -> PeerSpec:
    if "ipBlock" in raw:
        return PeerSpec(cidr=ip_block(obj(raw["ipBlock"])), ip=True)
    pods = parse_selector(raw["podSelector"]) if "podSelector" in raw else None
    namespaces = parse_selector(raw["namespaceSelector"]) if "namespaceSelector" in raw else None
    if pods is None and namespaces is None:
        raise PolicyError("a peer needs podSelector, namespaceSelector or ipBlock")
    return PeerSpec(pods=pods, namespaces=namespaces)


def _port(raw: dict[str, object]) -> PortSpec:
    protocol = str(raw.get("protocol") or "TCP").upper()
    if protocol not in ("TCP", "UDP", "SCTP"):
        raise PolicyError(f"protocol {protocol} is not TCP, UDP or SCTP")
    port = raw.get("port")
    end = raw.get("endPort")
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    if port is not None and not isinstance(port, int | str):
        raise PolicyError(f"port {port!r} is neither a number nor a name")
    if end is not None and (not isinstance(end, int) or not isinstance(port, int) or end < port):
        raise PolicyError(f"endPort {end!r} needs a numeric port not above it")
    return PortSpec(protocol=protocol, port=port, end_port=end if isinstance(end, int) else None)


def _rules(raw: object, peers_key: str) -> tuple[RuleSpec, ...]:
    rules = []
    for r in seq(raw):
        r = obj(r)
        peers = tuple(_peer(obj(p)) for p in seq(r.get(peers_key))) if seq(r.get(peers_key)) else None
        rules.append(RuleSpec(peers=peers, ports=tuple(_port(obj(p)) for p in seq(r.get("ports")))))
    return tuple(rules)


def parse_policy(o: KubeObject) -> NetworkPolicy:
    spec = obj(o.raw.get("spec"))
    try:
        selector = parse_selector(spec.get("podSelector") or {})
        types = [str(t) for t in seq(spec.get("policyTypes"))]
        if not types:
            types = ["Ingress", *(["Egress"] if "egress" in spec else [])]
        if set(types) - {"Ingress", "Egress"}:
            raise PolicyError(f"policyTypes {types} must be Ingress and/or Egress")
        return NetworkPolicy(
            namespace=o.namespace or "default",
            name=o.name,
            selector=selector,
            ingress=_rules(spec.get("ingress"), "from") if "Ingress" in types else None,
            egress=_rules(spec.get("egress"), "to") if "Egress" in types else None,
            object=o,
        )
    except SelectorError as e:
        raise PolicyError(f"invalid selector: {e}") from e


def policy_issue(o: KubeObject, e: Error) -> Issue:
    return Issue(stage="netpol", path=where(o), message=f"{label(o)}: {e}; policy ignored")


def peer_matches(spec: PeerSpec, peer: Peer, policy_ns: str, ns_labels: dict[str, dict[str, str]]) -> bool:
    if isinstance(peer, IpRange):
        return any(lo <= peer.lo and peer.hi <= hi for lo, hi in spec.cidr)
    if spec.ip:
        return False
    if isinstance(peer, Representative):
        if spec.namespaces is None:
            if not peer.namespace or peer.namespace != policy_ns:
                return False
        elif not full_match(spec.namespaces, peer.ns_selector):
            return False
        return spec.pods is None or full_match(spec.pods, peer.pod_selector)
    if spec.namespaces is None:
        if peer.namespace != policy_ns:
            return False
    elif not spec.namespaces.matches(ns_labels.get(peer.namespace, {})):
        return False
    return spec.pods is None or spec.pods.matches(peer.label_map)
