"""The host catalogues: one data file per benchmark, one entry per control, typed at load.

`data/host/<benchmark>.yaml` holds the controls of CIS Docker 1.6, CIS Kubernetes 1.12 and our
own host-hardening and audit-log rules. Each entry names its CIS id, title, level, whether CIS
calls it automated, what it reads, its remediation, and the checks that decide it (data
understood by `host/checks.py`). A control without checks is manual: its `manual` text says
what to look at by hand. Rule ids are the catalogue prefix plus the CIS id (`HG-DOCKER-2.2`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

import yaml

from hullguard.model import Severity
from hullguard.rules.base import Peers, RuleId, RuleMeta, Target
from hullguard.rules.catalogue import CatalogueError


class Benchmark(StrEnum):
    CIS_DOCKER = "cis-docker"
    CIS_KUBERNETES = "cis-kubernetes"
    HOST = "host-hardening"
    AUDIT_LOG = "audit-log"


BENCHMARKS = (Benchmark.CIS_DOCKER, Benchmark.CIS_KUBERNETES, Benchmark.HOST, Benchmark.AUDIT_LOG)


@dataclass(frozen=True, slots=True, kw_only=True)
class Control:
    id: RuleId
    benchmark: Benchmark
    cis: str | None
    """The benchmark's own number (`2.2`, `4.2.1`), None for our own rules."""
    title: str
    section: str
    level: int | None
    automated: bool
    severity: Severity
    reads: tuple[str, ...]
    """What the control looks at: files, flags, API fields."""
    rationale: str
    remediation: str
    manual: str | None
    """For a control checked by hand: what to look at."""
    checks: tuple[dict[str, Any], ...]
    """Check specs (see host/checks.py); empty for manual controls."""
    node: str | None
    """`worker`, `controlplane`, `etcd`, `policies` for Kubernetes; None otherwise."""
    peers: Peers

    def meta(self) -> RuleMeta:
        target = Target.AUDIT_LOG if self.benchmark is Benchmark.AUDIT_LOG else Target.HOST
        return RuleMeta(
            id=self.id,
            target=target,
            title=self.title,
            severity=self.severity,
            rationale=self.rationale,
            remediation=self.remediation,
            peers=self.peers,
        )


KEYS = frozenset(
    {
        "cis",
        "id",
        "title",
        "level",
        "automated",
        "severity",
        "reads",
        "rationale",
        "remediation",
        "manual",
        "check",
        "checks",
        "node",
        "falco",
    }
)


def parse(text: str, benchmark: Benchmark) -> tuple[Control, ...]:
    doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    if not isinstance(doc, dict) or not isinstance(doc.get("controls"), list):
        raise CatalogueError(f"{benchmark}.yaml: expected a mapping with a `controls` list")
    prefix = str(doc["prefix"])
    peer = doc.get("peer")
    sections: dict[str, str] = {str(k): str(v) for k, v in (doc.get("sections") or {}).items()}
    out: list[Control] = []
    seen: set[str] = set()
    for entry in doc["controls"]:
        key = str(entry.get("cis") or entry["id"])
        unknown = set(entry) - KEYS
        if unknown:  # a comma in an unquoted flow-style value splits it into stray keys
            raise CatalogueError(f"{benchmark}.yaml: {key}: unknown keys {sorted(map(str, unknown))}")
        if key in seen:
            raise CatalogueError(f"{benchmark}.yaml: control {key} is defined twice")
        seen.add(key)
        cis = str(entry["cis"]) if "cis" in entry else None
        checks = tuple(entry.get("checks") or ((entry["check"],) if "check" in entry else ()))
        if not checks and not entry.get("manual"):
            raise CatalogueError(f"{benchmark}.yaml: {key} has neither checks nor manual steps")
        out.append(
            Control(
                id=RuleId(f"{prefix}-{key}"),
                benchmark=benchmark,
                cis=cis,
                title=str(entry["title"]),
                section=_section(key, sections),
                level=int(entry["level"]) if "level" in entry else (1 if cis else None),
                automated=bool(entry.get("automated", True)),
                severity=Severity.parse(str(entry.get("severity", "MEDIUM"))),
                reads=tuple(str(r) for r in entry.get("reads") or ()),
                rationale=str(entry.get("rationale") or entry["title"]),
                remediation=str(entry.get("remediation") or entry.get("manual") or ""),
                manual=str(entry["manual"]) if entry.get("manual") else None,
                checks=checks,
                node=str(entry.get("node") or doc.get("node") or "") or None,
                peers=_peers(peer, cis),
            )
        )
    return tuple(out)


def _section(key: str, sections: dict[str, str]) -> str:
    parts = key.split(".")
    for n in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in sections:
            return f"{prefix} {sections[prefix]}"
    return ""


def _peers(peer: object, cis: str | None) -> Peers:
    if cis is None or peer is None:
        return Peers()
    return Peers(docker_bench=cis) if peer == "docker-bench" else Peers(kube_bench=cis)


@functools.cache
def controls(benchmark: Benchmark) -> tuple[Control, ...]:
    text = resources.files("hullguard").joinpath(f"data/host/{benchmark}.yaml").read_text(encoding="utf-8")
    return parse(text, benchmark)


def all_controls() -> tuple[Control, ...]:
    return tuple(c for b in BENCHMARKS for c in controls(b))


def rule_metas() -> tuple[RuleMeta, ...]:
    """Every host and audit-log control as rule metadata, for `hullguard rules list`."""
    return tuple(c.meta() for c in all_controls())


def control(rule_id: str) -> Control:
    return _by_id()[rule_id]


@functools.cache
def _by_id() -> dict[str, Control]:
    return {c.id: c for c in all_controls()}
