"""Is a version affected? OSV `affected[]` evaluation: explicit versions, then ECOSYSTEM and
SEMVER ranges of introduced / fixed / last_affected / limit events."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from hullguard.versions import semver
from hullguard.versions.base import Scheme, Version
from hullguard.vulndb.osv import Affected, Range


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    affected: bool
    fixed: tuple[str, ...] = ()
    """The `fixed` versions of the ranges that contain the version."""


def evaluate(affected: Affected, version: str, scheme: Scheme) -> Verdict:
    installed = scheme.parse(version)
    hit = bool(affected.versions) and (
        version in affected.versions
        or scheme.canonical_text(version) in _canonical(affected.versions, scheme)
    )
    fixes: list[str] = []
    for rng in affected.ranges:
        rng_scheme = semver.SCHEME if rng.type == "SEMVER" else scheme
        current = installed if rng_scheme is scheme else rng_scheme.parse(version)
        if in_range(rng, current, rng_scheme):
            hit = True
            fixes.extend(e.version for e in rng.events if e.kind == "fixed")
    return Verdict(affected=hit, fixed=tuple(fixes))


@lru_cache(maxsize=4096)
def _canonical(versions: tuple[str, ...], scheme: Scheme) -> frozenset[str]:
    return frozenset(scheme.canonical_text(v) for v in versions)


def in_range(rng: Range, version: Version, scheme: Scheme) -> bool:
    """The OSV algorithm: walk the events in version order; the last one at or below the
    version decides. An invalid installed version is never in a range."""
    if not version.valid:
        return False
    events_in = rng.events
    if len(events_in) == 2 and events_in[0].kind == "introduced" and events_in[0].version == "0":
        # The common shape, `introduced: 0` then one fixed / last_affected: no sorting needed.
        kind, last = events_in[1].kind, scheme.parse(events_in[1].version)
        if not last.ordered:
            return True
        if kind == "fixed":
            return version < last
        if kind == "last_affected":
            return version <= last
    for event in rng.events:
        if event.kind == "limit" and event.version != "*" and version >= scheme.parse(event.version):
            return False
    parsed = [(_event_version(e.kind, e.version, scheme), e.kind) for e in rng.events if e.kind != "limit"]
    # An event whose version this scheme cannot order says nothing reliable; it is skipped.
    usable = [(bound, kind) for bound, kind in parsed if bound is None or bound.ordered]
    events = sorted(usable, key=lambda pair: (pair[0] is not None, pair[0]))
    affected = False
    for bound, kind in events:
        if kind == "introduced":
            if bound is None or version >= bound:
                affected = True
        elif kind == "fixed":
            if bound is not None and version >= bound:
                affected = False
        elif kind == "last_affected" and bound is not None and version > bound:
            affected = False
    return affected


def _event_version(kind: str, text: str, scheme: Scheme) -> Version | None:
    """`introduced: "0"` means the beginning of time: None sorts before every version."""
    if kind == "introduced" and text == "0":
        return None
    return scheme.parse(text)
