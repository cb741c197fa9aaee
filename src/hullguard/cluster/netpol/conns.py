"""Sets of allowed connections: per protocol, disjoint sorted port ranges; printed as np-guard prints them."""

from __future__ import annotations

from dataclasses import dataclass

PROTOCOLS = ("SCTP", "TCP", "UDP")
MIN_PORT, MAX_PORT = 1, 65535
Ranges = tuple[tuple[int, int], ...]


def _merge(ranges: list[tuple[int, int]]) -> Ranges:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def _intersect(a: Ranges, b: Ranges) -> Ranges:
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Conns:
    ports: tuple[tuple[str, Ranges], ...] = ()
    """(protocol, ranges) for each protocol with any port, in protocol order."""

    @staticmethod
    def all() -> Conns:
        return ALL

    @staticmethod
    def of(protocol: str, lo: int = MIN_PORT, hi: int = MAX_PORT) -> Conns:
        return Conns(((protocol, ((lo, hi),)),))

    def union(self, other: Conns) -> Conns:
        if not other.ports or self.is_all:
            return self
        if not self.ports or other.is_all:
            return other
        got = dict(self.ports)
        for proto, ranges in other.ports:
            got[proto] = _merge([*got.get(proto, ()), *ranges])
        return Conns(tuple((p, got[p]) for p in PROTOCOLS if p in got))

    def intersect(self, other: Conns) -> Conns:
        if self.is_all:
            return other
        if other.is_all:
            return self
        theirs = dict(other.ports)
        out = []
        for proto, ranges in self.ports:
            common = _intersect(ranges, theirs.get(proto, ()))
            if common:
                out.append((proto, common))
        return Conns(tuple(out))

    def subtract(self, other: Conns) -> Conns:
        theirs = dict(other.ports)
        out = []
        for proto, ranges in self.ports:
            remove = theirs.get(proto, ())
            left: list[tuple[int, int]] = []
            for lo, hi in ranges:
                start = lo
                for rlo, rhi in remove:
                    if rhi < start or rlo > hi:
                        continue
                    if rlo > start:
                        left.append((start, rlo - 1))
                    start = max(start, rhi + 1)
                if start <= hi:
                    left.append((start, hi))
            if left:
                out.append((proto, tuple(left)))
        return Conns(tuple(out))

    @property
    def empty(self) -> bool:
        return not self.ports

    @property
    def is_all(self) -> bool:
        return self.ports == ALL.ports

    def __str__(self) -> str:
        if self.is_all:
            return "All Connections"
        if not self.ports:
            return "No Connections"
        return ",".join(
            f"{proto} " + ",".join(f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in ranges)
            for proto, ranges in self.ports
        )


ALL = Conns(tuple((p, ((MIN_PORT, MAX_PORT),)) for p in PROTOCOLS))
NONE = Conns()
