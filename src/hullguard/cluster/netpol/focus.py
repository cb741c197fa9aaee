"""Which pairs a focused connectivity list keeps (np-guard's --focusworkload, -peer and -direction)."""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.cluster.netpol.conns import Conns
from hullguard.cluster.netpol.peers import Peer, Workload


def named(peer: Peer, names: tuple[str, ...]) -> bool:
    """A workload named NAME or NAMESPACE/NAME; an empty list names everything."""
    if not names:
        return True
    return isinstance(peer, Workload) and (peer.name in names or f"{peer.namespace}/{peer.name}" in names)


@dataclass(frozen=True, slots=True, kw_only=True)
class Focus:
    workloads: tuple[str, ...] = ()
    peers: tuple[str, ...] = ()
    """Only with `workloads`: the other end must be one of these."""
    direction: str = ""
    """"ingress": only connections into the focus workloads; "egress": only out of them."""
    conn: Conns | None = None
    """Only pairs that allow this one protocol and port (np-guard's --focusconn)."""

    def narrow(self, conns: Conns) -> Conns | None:
        """The connection a pair is listed with, or None when it is left out."""
        if self.conn is None:
            return conns if not conns.empty else None
        return self.conn if self.conn.intersect(conns) == self.conn else None

    def keeps(self, src: Peer, dst: Peer) -> bool:
        if self.direction == "ingress" and not named(dst, self.workloads):
            return False
        if self.direction == "egress" and not named(src, self.workloads):
            return False
        peers = self.peers if self.workloads else ()
        return (named(src, self.workloads) and named(dst, peers)) or (
            named(dst, self.workloads) and named(src, peers)
        )

    def listed(self, w: Workload) -> bool:
        """Workloads drawn in a dot graph even without connections."""
        return named(w, self.workloads) or (
            bool(self.peers) and bool(self.workloads) and named(w, self.peers)
        )


def parse_conn(text: str) -> Conns:
    """`tcp-8080` -> TCP 8080; ValueError if malformed."""
    protocol, _, port = text.partition("-")
    protocol = protocol.upper()
    if protocol not in ("TCP", "UDP", "SCTP") or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"{text!r} is not PROTOCOL-PORT with PROTOCOL tcp, udp or sctp and PORT 1-65535")
    return Conns.of(protocol, int(port), int(port))
