"""AdminNetworkPolicy and BaselineAdminNetworkPolicy: ordered Allow/Deny/Pass rules, and the layer
arithmetic that puts them above and below NetworkPolicies (as np-guard evaluates them)."""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.cluster.netpol.conns import ALL, NONE, Conns
from hullguard.cluster.netpol.peers import IpRange, Peer, Representative, Workload
from hullguard.cluster.netpol.policy import PolicyError, PortSpec, ip_block
from hullguard.cluster.selectors import Selector, SelectorError, full_match, parse_selector
from hullguard.rules.kubernetes.objects import KubeObject, obj, seq

ACTIONS = frozenset({"Allow", "Deny", "Pass"})


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminPeer:
    namespaces: Selector
    pods: Selector | None = None
    """None: every pod of the selected namespaces."""
    cidr: tuple[tuple[int, int], ...] = ()
    networks: bool = False

    def matches(self, peer: Peer, ns_labels: dict[str, dict[str, str]]) -> bool:
        if isinstance(peer, IpRange):
            return self.networks and any(lo <= peer.lo and peer.hi <= hi for lo, hi in self.cidr)
        if self.networks:
            return False
        if isinstance(peer, Representative):
            ns_ok = full_match(self.namespaces, peer.ns_selector)
            return ns_ok and (self.pods is None or full_match(self.pods, peer.pod_selector))
        if not self.namespaces.matches(ns_labels.get(peer.namespace, {})):
            return False
        return self.pods is None or self.pods.matches(peer.label_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminRule:
    action: str
    peers: tuple[AdminPeer, ...]
    ports: tuple[PortSpec, ...] | None

    def conns(self, target: Peer | None) -> Conns:
        if self.ports is None:
            return ALL
        out = NONE
        for p in self.ports:
            out = out.union(p.conns(target))
        return out


@dataclass(slots=True)
class Layer:
    """Allowed, denied and passed connections of one layer of admin policies."""

    allowed: Conns = NONE
    denied: Conns = NONE
    passed: Conns = NONE

    @property
    def empty(self) -> bool:
        return self.allowed.empty and self.denied.empty and self.passed.empty

    def add_rule(self, conns: Conns, action: str) -> None:
        if action == "Allow":
            self.allowed = self.allowed.union(conns.subtract(self.denied).subtract(self.passed))
        elif action == "Deny":
            self.denied = self.denied.union(conns.subtract(self.allowed).subtract(self.passed))
        else:
            self.passed = self.passed.union(conns.subtract(self.allowed).subtract(self.denied))

    def add_policy(self, later: Layer) -> None:
        """A lower-precedence policy's result: what this layer already decided stays decided."""
        denied = later.denied.subtract(self.allowed).subtract(self.passed)
        allowed = later.allowed.subtract(self.denied).subtract(self.passed)
        passed = later.passed.subtract(self.denied).subtract(self.allowed)
        self.denied, self.allowed, self.passed = (
            self.denied.union(denied),
            self.allowed.union(allowed),
            self.passed.union(passed),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminPolicy:
    name: str
    priority: int
    baseline: bool
    subject_namespaces: Selector
    subject_pods: Selector | None
    ingress: tuple[AdminRule, ...]
    egress: tuple[AdminRule, ...]
    object: KubeObject

    def selects(self, w: Workload, ns_labels: dict[str, dict[str, str]], ingress: bool) -> bool:
        if not (self.ingress if ingress else self.egress):
            return False
        if not self.subject_namespaces.matches(ns_labels.get(w.namespace, {})):
            return False
        return self.subject_pods is None or self.subject_pods.matches(w.label_map)

    def layer(
        self, other: Peer, target: Peer | None, ns_labels: dict[str, dict[str, str]], ingress: bool
    ) -> Layer:
        result = Layer()
        for rule in self.ingress if ingress else self.egress:
            if any(p.matches(other, ns_labels) for p in rule.peers):
                result.add_rule(rule.conns(target), rule.action)
        return result


def _selector(raw: object) -> Selector:
    return parse_selector(raw if raw is not None else {})


def _admin_peer(raw: dict[str, object], egress: bool) -> AdminPeer | None:
    fields = [k for k in ("namespaces", "pods", "nodes", "networks") if raw.get(k) is not None]
    if len(fields) != 1 or (not egress and fields[0] in ("nodes", "networks")):
        raise PolicyError(
            "exactly one of namespaces or pods (and, for egress, nodes or networks) must be set in a rule peer"
        )
    kind = fields[0]
    if kind == "nodes":
        return None  # nodes are not modelled: the rule peer selects nothing
    if kind == "networks":  # IPv6 networks are not modelled (as in np-guard): they select nothing
        return AdminPeer(
            namespaces=Selector(),
            cidr=tuple(r for c in seq(raw["networks"]) if ":" not in str(c) for r in ip_block({"cidr": c})),
            networks=True,
        )
    if kind == "namespaces":
        return AdminPeer(namespaces=_selector(raw["namespaces"]))
    pods = obj(raw["pods"])
    return AdminPeer(
        namespaces=_selector(pods.get("namespaceSelector")), pods=_selector(pods.get("podSelector"))
    )


def _admin_port(raw: dict[str, object]) -> PortSpec:
    if "portNumber" in raw:
        p = obj(raw["portNumber"])
        return PortSpec(protocol=str(p.get("protocol") or "TCP").upper(), port=int(str(p.get("port"))))
    if "namedPort" in raw:
        return PortSpec(protocol="TCP", port=str(raw["namedPort"]), any_protocol=True)
    if "portRange" in raw:
        r = obj(raw["portRange"])
        start, end = int(str(r.get("start"))), int(str(r.get("end")))
        if end < start:
            raise PolicyError(f"portRange {start}-{end}: end is below start")
        return PortSpec(protocol=str(r.get("protocol") or "TCP").upper(), port=start, end_port=end)
    raise PolicyError("a port must set portNumber, namedPort or portRange")


def _admin_rules(raw: object, peers_key: str, baseline: bool) -> tuple[AdminRule, ...]:
    rules = []
    for r in map(obj, seq(raw)):
        action = str(r.get("action") or "")
        if action not in ACTIONS or (baseline and action == "Pass"):
            raise PolicyError(
                f"rule {r.get('name')!r}: action {action!r} is not {'Allow or Deny' if baseline else 'Allow, Deny or Pass'}"
            )
        if not seq(r.get(peers_key)):
            raise PolicyError(f"rule {r.get('name')!r}: {peers_key} must name at least one peer")
        peers = tuple(
            p
            for p in (_admin_peer(obj(x), peers_key == "to") for x in seq(r.get(peers_key)))
            if p is not None
        )
        ports = (
            tuple(_admin_port(obj(p)) for p in seq(r.get("ports"))) if r.get("ports") is not None else None
        )
        rules.append(AdminRule(action=action, peers=peers, ports=ports))
    return tuple(rules)


def parse_admin(o: KubeObject) -> AdminPolicy:
    spec = obj(o.raw.get("spec"))
    baseline = o.kind == "BaselineAdminNetworkPolicy"
    try:
        subject = obj(spec.get("subject"))
        if (subject.get("namespaces") is None) == (subject.get("pods") is None):
            raise PolicyError("subject must set exactly one of namespaces or pods")
        if subject.get("namespaces") is not None:
            ns_sel, pod_sel = _selector(subject["namespaces"]), None
        else:
            pods = obj(subject["pods"])
            ns_sel, pod_sel = _selector(pods.get("namespaceSelector")), _selector(pods.get("podSelector"))
        priority = spec.get("priority", 0)
        if not baseline and (not isinstance(priority, int) or not 0 <= priority <= 1000):
            raise PolicyError(f"priority {priority!r} must be a number from 0 to 1000")
        if baseline and o.name != "default":
            raise PolicyError("a BaselineAdminNetworkPolicy must be named default")
        return AdminPolicy(
            name=o.name, priority=priority if isinstance(priority, int) else 0, baseline=baseline,
            subject_namespaces=ns_sel, subject_pods=pod_sel,
            ingress=_admin_rules(spec.get("ingress"), "from", baseline),
            egress=_admin_rules(spec.get("egress"), "to", baseline),
            object=o,
        )  # fmt: skip
    except SelectorError as e:
        raise PolicyError(f"invalid selector: {e}") from e
    except (TypeError, ValueError) as e:
        raise PolicyError(f"invalid port: {e}") from e
