"""Sets of allowed connections: per protocol, disjoint sorted port ranges (and port names where a
named port could not be resolved, as towards a representative peer); printed as np-guard prints them."""

from __future__ import annotations

from dataclasses import dataclass

PROTOCOLS = ("", "SCTP", "TCP", "UDP")
"""The empty protocol holds admin-policy named ports, which name no protocol."""
MIN_PORT, MAX_PORT = 1, 65535
Ranges = tuple[tuple[int, int], ...]
Entry = tuple[str, Ranges, tuple[str, ...]]


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


def _subtract(a: Ranges, b: Ranges) -> Ranges:
    left: list[tuple[int, int]] = []
    for lo, hi in a:
        start = lo
        for rlo, rhi in b:
            if rhi < start or rlo > hi:
                continue
            if rlo > start:
                left.append((start, rlo - 1))
            start = max(start, rhi + 1)
        if start <= hi:
            left.append((start, hi))
    return tuple(left)


def _build(got: dict[str, tuple[Ranges, frozenset[str]]]) -> Conns:
    return Conns(
        tuple(
            (p, got[p][0], tuple(sorted(got[p][1])))
            for p in PROTOCOLS
            if p in got and (got[p][0] or got[p][1])
        )
    )


@dataclass(frozen=True, slots=True)
class Conns:
    ports: tuple[Entry, ...] = ()
    """(protocol, ranges, port names) for each protocol with any port, in protocol order."""

    @staticmethod
    def of(protocol: str, lo: int = MIN_PORT, hi: int = MAX_PORT) -> Conns:
        return Conns(((protocol, ((lo, hi),), ()),))

    @staticmethod
    def named(protocol: str, name: str) -> Conns:
        return Conns(((protocol, (), (name,)),))

    def _map(self) -> dict[str, tuple[Ranges, frozenset[str]]]:
        return {p: (r, frozenset(n)) for p, r, n in self.ports}

    def union(self, other: Conns) -> Conns:
        if not other.ports or self.is_all:
            return self
        if not self.ports or other.is_all:
            return other
        got = self._map()
        for proto, ranges, names in other.ports:
            mine = got.get(proto, ((), frozenset()))
            got[proto] = (_merge([*mine[0], *ranges]), mine[1] | set(names))
        return _build(got)

    def intersect(self, other: Conns) -> Conns:
        if not self.ports or not other.ports:
            return NONE
        if self.is_all:
            return other
        if other.is_all:
            return self
        theirs = other._map()
        got = {}
        for proto, ranges, names in self.ports:
            t = theirs.get(proto, ((), frozenset()))
            got[proto] = (_intersect(ranges, t[0]), frozenset(names) & t[1])
        return _build(got)

    def subtract(self, other: Conns) -> Conns:
        if not other.ports or not self.ports:
            return self
        theirs = other._map()
        got = {}
        for proto, ranges, names in self.ports:
            t = theirs.get(proto, ((), frozenset()))
            got[proto] = (_subtract(ranges, t[0]), frozenset(names) - t[1])
        return _build(got)

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
        parts = []
        for proto, ranges, names in self.ports:
            items = [f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in ranges] + list(names)
            parts.append(f"{proto} " + ",".join(items))
        return ",".join(sorted(parts))


ALL = Conns(tuple((p, ((MIN_PORT, MAX_PORT),), ()) for p in PROTOCOLS if p))
NONE = Conns()
