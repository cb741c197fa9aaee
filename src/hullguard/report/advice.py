"""Advice derived from a report: what a rebuild would fix, and which smaller base would shrink it.

Both are pure functions of the report (its packages, findings and OS), so every writer can show
them and the service can recompute them from a stored report.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from hullguard import datafiles
from hullguard.model import Package, PackageType, Report, Vulnerability


@dataclass(frozen=True, slots=True, kw_only=True)
class RebuildAdvice:
    """Vulnerabilities split by what fixes them."""

    total: int
    by_rebuild: tuple[Vulnerability, ...]
    """An OS package with a fixed version: rebuilding (a fresh base, a fresh package install) fixes it."""
    in_base_image: int
    """Of `by_rebuild`, how many come from the base image's layers."""
    by_dependency_change: tuple[Vulnerability, ...]
    """A language package pinned by the project: only a dependency bump fixes it."""
    unfixed: tuple[Vulnerability, ...]

    def summary(self) -> str:
        parts = [f"rebuild fixes {len(self.by_rebuild)} of {self.total}"]
        if self.in_base_image:
            parts.append(f"{self.in_base_image} of them by pulling the base image again")
        if self.by_dependency_change:
            parts.append(f"{len(self.by_dependency_change)} need a dependency change")
        if self.unfixed:
            parts.append(f"{len(self.unfixed)} have no fix yet")
        return "; ".join(parts)


def rebuild_advice(report: Report) -> RebuildAdvice | None:
    vulns = [f for f in report.findings if isinstance(f, Vulnerability)]
    if not vulns:
        return None
    rebuild = tuple(v for v in vulns if v.fixed_version and v.package.type.is_os)
    return RebuildAdvice(
        total=len(vulns),
        by_rebuild=rebuild,
        in_base_image=sum(1 for v in rebuild if v.in_base_image),
        by_dependency_change=tuple(v for v in vulns if v.fixed_version and not v.package.type.is_os),
        unfixed=tuple(v for v in vulns if not v.fixed_version),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Alternative:
    image: str
    kind: str
    """slim, distroless, alpine, wolfi, upgrade."""
    removes_packages: int | None
    """OS packages of this image that the alternative does not ship (None: no package list known)."""
    removes_vulnerabilities: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BaseAdvice:
    os: str
    runtime: str
    """What the image runs, judged from its packages: python, node, java, static, native."""
    os_packages: int
    vulnerabilities: int
    """Vulnerabilities in OS packages: the part a base image decides."""
    alternatives: tuple[Alternative, ...]
    as_of: str
    built: str | None = None
    """When the image was built: how stale its base's packages may be."""
    eol: bool | None = None


@functools.cache
def _table() -> dict[str, Any]:
    table: dict[str, Any] = datafiles.load("base-images.yaml")
    return table


def _expand(names: list[str], sets: dict[str, list[str]]) -> frozenset[str]:
    return frozenset(p for name in names for p in (sets.get(name) or [name]))


def runtime_of(packages: tuple[Package, ...]) -> str:
    kinds = {p.type for p in packages}
    for kind, runtime in ((PackageType.PYPI, "python"), (PackageType.NPM, "node"), (PackageType.MAVEN, "java")):
        if kind in kinds:
            return runtime
    if PackageType.GOLANG in kinds or PackageType.CARGO in kinds:
        return "static"
    return "native"


def base_advice(report: Report) -> BaseAdvice | None:
    os = report.artifact.os
    packages = report.packages or ()
    if os is None or not packages:
        return None
    table = _table()
    label = f"{os.family} {os.release}"
    release = next(
        (r for r in table["releases"] if r["os"] in (label, f"{os.family} *")), None
    )
    if release is None:
        return None
    runtime = runtime_of(packages)
    mine = {p.name for p in packages if p.type.is_os}
    vulns = [f for f in report.findings if isinstance(f, Vulnerability) and f.package.type.is_os]
    alternatives = []
    for alt in release["alternatives"]:
        if alt["for"] not in ("any", runtime) and not (runtime == "static" and alt["for"] == "native"):
            continue
        names = alt.get("packages") or []
        # Another distribution's package names cannot be compared with this one's.
        foreign = alt["kind"] in ("alpine", "wolfi") and os.family != "alpine"
        ships = _expand(names, table["sets"]) if names and not foreign else None
        alternatives.append(
            Alternative(
                image=alt["image"],
                kind=alt["kind"],
                removes_packages=None if ships is None else len(mine - ships),
                removes_vulnerabilities=None
                if ships is None
                else sum(1 for v in vulns if v.package.name not in ships),
            )
        )
    alternatives.sort(key=lambda a: -(a.removes_packages or 0))
    return BaseAdvice(
        os=label,
        runtime=runtime,
        os_packages=len(mine),
        vulnerabilities=len(vulns),
        alternatives=tuple(alternatives),
        as_of=str(table["as_of"]),
        built=report.artifact.created,
        eol=os.eol,
    )


def to_dict(report: Report) -> dict[str, Any] | None:
    """The `advice` section of the JSON report, or None when there is nothing to advise."""
    out: dict[str, Any] = {}
    rebuild = rebuild_advice(report)
    if rebuild is not None:
        out["rebuild"] = {
            "summary": rebuild.summary(),
            "total": rebuild.total,
            "fixed_by_rebuild": len(rebuild.by_rebuild),
            "in_base_image": rebuild.in_base_image,
            "need_dependency_change": len(rebuild.by_dependency_change),
            "no_fix": len(rebuild.unfixed),
        }
    base = base_advice(report)
    if base is not None and base.alternatives:
        out["base_image"] = {
            "os": base.os,
            **({"image_built": base.built} if base.built else {}),
            **({"end_of_life": base.eol} if base.eol is not None else {}),
            "runtime": base.runtime,
            "os_packages": base.os_packages,
            "os_vulnerabilities": base.vulnerabilities,
            "as_of": base.as_of,
            "alternatives": [
                {k: v for k, v in (("image", a.image), ("kind", a.kind), ("removes_packages", a.removes_packages),
                                   ("removes_vulnerabilities", a.removes_vulnerabilities)) if v is not None}
                for a in base.alternatives
            ],
        }
    return out or None
