"""Match an inventory against the database: one finding per (package, vulnerability), with the
ids that alias each other (CVE, GHSA, PYSEC, distro advisories) merged into one."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hullguard.matchers.modularity import applies
from hullguard.matchers.ranges import evaluate
from hullguard.matchers.severity import Rated, rate
from hullguard.matchers.targets import Target, target_for
from hullguard.model import OS, Digest, Issue, Location, Package, PackageType, Vulnerability, VulnId
from hullguard.vulndb import store
from hullguard.vulndb.osv import Advisory, package_key

Provenance = Callable[[Digest | None], tuple[str | None, bool | None]]
"""A layer digest -> (its created_by history step, whether it belongs to the base image)."""


@dataclass
class _Hit:
    advisory: Advisory
    rated: Rated
    fixed: list[str] = field(default_factory=list)


class Matcher:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._advisories: dict[str, Advisory | None] = {}
        self._rows: dict[tuple[str, str], list[store.AffectedRow]] = {}
        self._ratings: dict[tuple[str, str | None], Rated] = {}

    def _affected(self, ecosystem: str, name: str) -> list[store.AffectedRow]:
        key = (ecosystem, package_key(ecosystem, name))
        if key not in self._rows:
            self._rows.update(store.affected_for_many(self._conn, [(ecosystem, name)]))
        return self._rows[key]

    def _prefetch(self, targets: Iterable[Target]) -> None:
        """One join for every package's rows instead of a query per package."""
        wanted = {(e, n) for t in targets for e in t.ecosystems for n in t.names}
        wanted = {(e, n) for e, n in wanted if (e, package_key(e, n)) not in self._rows}
        if wanted:
            self._rows.update(store.affected_for_many(self._conn, wanted))

    def _rate(self, advisory: Advisory, word: str | None) -> Rated:
        key = (advisory.id, word)
        if key not in self._ratings:
            self._ratings[key] = rate(advisory, word)
        return self._ratings[key]

    def _advisory(self, ident: str) -> Advisory | None:
        if ident not in self._advisories:
            self._advisories[ident] = store.advisory(self._conn, ident)
        return self._advisories[ident]

    def match(
        self, packages: Iterable[Package], os: OS | None, provenance: Provenance | None = None
    ) -> tuple[list[Vulnerability], list[Issue]]:
        findings: list[Vulnerability] = []
        issues: list[Issue] = []
        targets = [(package, target_for(package, os)) for package in packages]
        self._prefetch(t for _, t in targets if t is not None)
        unmatched_os = [p for p, t in targets if t is None and p.type.is_os]
        if unmatched_os:
            where = f"{os.family} {os.version}".strip() if os else "an unknown OS"
            issues.append(
                Issue(
                    stage="matcher",
                    message=f"{len(unmatched_os)} OS packages not checked: no advisory ecosystem for {where}",
                )
            )
        for package, target in targets:
            if target is None:
                continue
            if not target.scheme.parse(target.version).valid:
                issues.append(
                    Issue(
                        stage="matcher",
                        path=package.path,
                        layer=package.layer,
                        message=f"{package.name}: version {target.version!r} is not a valid "
                        f"{target.scheme.name} version; not matched",
                    )
                )
                continue
            hits = self._hits(target, package)
            if hits:
                created_by, in_base = provenance(package.layer) if provenance else (None, None)
                for group in _merge(hits):
                    findings.append(_finding(package, target, group, created_by, in_base))
        return findings, issues

    def _hits(self, target: Target, package: Package) -> list[_Hit]:
        hits: dict[str, _Hit] = {}
        for ecosystem in target.ecosystems:
            for name in target.names:
                for row in self._affected(ecosystem, name):
                    verdict = evaluate(row.affected, target.version, target.scheme)
                    if not verdict.affected:
                        continue
                    advisory = self._advisory(row.advisory_id)
                    if advisory is None or advisory.withdrawn:
                        continue
                    if package.type is PackageType.RPM and not applies(
                        row.affected, advisory.title, package.modularity_label
                    ):
                        continue  # another module stream's advisory (see modularity.py)
                    hit = hits.get(advisory.id)
                    if hit is None:
                        hit = hits[advisory.id] = _Hit(advisory, self._rate(advisory, row.affected.severity))
                    hit.fixed.extend(verdict.fixed)
        return list(hits.values())


def _merge(hits: list[_Hit]) -> list[list[_Hit]]:
    """Group hits whose ids alias each other (union-find over id and aliases)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for hit in hits:
        for alias in hit.advisory.aliases:
            parent[find(alias)] = find(hit.advisory.id)
    groups: dict[str, list[_Hit]] = {}
    for hit in hits:
        groups.setdefault(find(hit.advisory.id), []).append(hit)
    return [sorted(g, key=lambda h: h.advisory.id) for g in groups.values()]


def primary_id(ids: Iterable[str]) -> str:
    """CVE first, then GHSA, then any other id: what users search for."""
    ordered = sorted(set(ids))
    for prefix in ("CVE-", "GHSA-"):
        for ident in ordered:
            if ident.startswith(prefix):
                return ident
    return ordered[0]


def _finding(
    package: Package, target: Target, group: list[_Hit], created_by: str | None, in_base: bool | None
) -> Vulnerability:
    ids = {h.advisory.id for h in group} | {a for h in group for a in h.advisory.aliases}
    ident = primary_id(ids)
    rated = max((h.rated for h in group), key=lambda r: (r.score is not None, r.severity, r.score or 0))
    installed = target.scheme.parse(target.version)
    fixes = [target.scheme.parse(f) for h in group for f in h.fixed]
    above = sorted(v for v in fixes if v.valid and v > installed)
    titles = [h.advisory.title for h in group if h.advisory.title]
    references = tuple(dict.fromkeys(r for h in group for r in h.advisory.references))
    return Vulnerability(
        id=VulnId(ident),
        severity=rated.severity,
        title=titles[0] if titles else ident,
        package=package,
        aliases=tuple(sorted(ids - {ident})),
        fixed_version=above[0].text if above else None,
        location=Location(layer=package.layer, path=package.path),
        cvss_score=rated.score,
        cvss_vector=rated.vector,
        references=references[:10],
        layer_created_by=created_by,
        in_base_image=in_base,
    )
