"""One risk score per workload, from what the other analyses found about it, with the reasons."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hullguard.cluster.rbac.risks import make_finding
from hullguard.model import Finding, Location, Misconfiguration, Severity, Vulnerability
from hullguard.model.finding import KubeObject as ObjectRef

WEIGHTS = {
    "privileged": 3, "exposed": 2, "escalation": 4, "secrets": 2, "critical-cve": 3, "high-cve": 1, "pss": 1,
}  # fmt: skip
PRIVILEGED_PSS = frozenset(
    {"privileged", "hostNamespaces", "hostPathVolumes", "capabilities_baseline", "hostPorts"}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """What is known about one workload, gathered from every analysis."""

    workload: ObjectRef
    path: str | None = None
    reasons: tuple[tuple[str, str], ...] = ()
    """(weight key, why)."""

    @property
    def score(self) -> int:
        return sum(WEIGHTS[k] for k in dict(self.reasons))


def severity_of(score: int) -> Severity:
    if score >= 10:
        return Severity.CRITICAL
    if score >= 6:
        return Severity.HIGH
    if score >= 3:
        return Severity.MEDIUM
    return Severity.LOW


def rank(facts: Iterable[Facts]) -> list[Misconfiguration]:
    """HG-CL-040 per workload with any reason, highest score first (the report sorts by severity)."""
    ranked = sorted((f for f in facts if f.reasons), key=lambda f: (-f.score, f.workload.label()))
    out = []
    for n, f in enumerate(ranked, start=1):
        why = "; ".join(dict.fromkeys(text for _, text in f.reasons))
        out.append(make_finding("HG-CL-040", severity_of(f.score), f"#{n} score {f.score}: {f.workload.label()}: {why}",
                                Location(path=f.path, object=f.workload, steps=tuple(dict.fromkeys(t for _, t in f.reasons)))))  # fmt: skip
    return out


def image_reasons(report_findings: Iterable[Finding]) -> list[tuple[str, str]]:
    vulns = [f for f in report_findings if isinstance(f, Vulnerability)]
    critical = [v.id for v in vulns if v.severity == Severity.CRITICAL]
    high = [v.id for v in vulns if v.severity == Severity.HIGH]
    reasons = []
    if critical:
        reasons.append(
            (
                "critical-cve",
                f"image has {len(critical)} critical vulnerabilities ({', '.join(sorted(critical)[:3])})",
            )
        )
    if high:
        reasons.append(("high-cve", f"image has {len(high)} high vulnerabilities"))
    return reasons
