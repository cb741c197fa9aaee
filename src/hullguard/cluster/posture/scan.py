"""`k8s scan` and `k8s rbac`: one report for a cluster, with a risk ranking of its workloads."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from hullguard.cluster.model import Cluster
from hullguard.cluster.netpol.findings import iter_netpol_findings
from hullguard.cluster.posture.ranking import PRIVILEGED_PSS, Facts, image_reasons, rank
from hullguard.cluster.rbac.escalation import iter_escalations, service_account
from hullguard.cluster.rbac.grants import effective, holdings
from hullguard.cluster.rbac.model import Rbac, parse_rbac
from hullguard.cluster.rbac.risks import iter_risks
from hullguard.model import Artifact, ArtifactType, Finding, Issue, Misconfiguration, Report
from hullguard.model.finding import KubeObject as ObjectRef
from hullguard.rules.catalogue import catalogue
from hullguard.rules.kubernetes.objects import KubeObject

ImageScan = Callable[[tuple[str, ...]], Mapping[str, tuple[tuple[Finding, ...], tuple[Issue, ...]]]]
"""Images -> (findings, issues) of each: the vulnerability pipeline, injected by the caller."""


def _key(ref: ObjectRef | None) -> tuple[str, str, str] | None:
    return (ref.kind, ref.namespace or "", ref.name) if ref is not None else None


def scan_cluster(
    cluster: Cluster, *, rbac_only: bool = False, scan_images: ImageScan | None = None
) -> Report:
    from hullguard.cluster.posture.workloads import config_findings

    issues: list[Issue] = [*cluster.issues]
    rbac = parse_rbac(cluster)
    issues.extend(rbac.issues)
    findings: list[Finding] = [*iter_risks(rbac), *iter_escalations(cluster, rbac)]
    if not rbac_only:
        config = config_findings(cluster)
        netpol = list(iter_netpol_findings(cluster, issues))
        images: Mapping[str, tuple[tuple[Finding, ...], tuple[Issue, ...]]] = {}
        running = [o for o in cluster.objects if service_account(o) is not None]
        if scan_images is not None:
            wanted = tuple(
                sorted({c.image for o in running if o.workload for c in o.workload.containers if c.image})
            )
            images = scan_images(wanted)
            for found, problems in images.values():
                findings.extend(found)
                issues.extend(problems)
        findings.extend(config)
        findings.extend(netpol)
        findings.extend(rank(_facts(rbac, running, [*config, *netpol, *findings], images)))
    return Report(
        artifact=Artifact(name=cluster.source or "cluster", type=ArtifactType.CONFIG),
        findings=tuple(dict.fromkeys(findings)),
        issues=tuple(dict.fromkeys(issues)),
    )


def _facts(
    rbac: Rbac,
    running: list[KubeObject],
    found: list[Finding],
    images: Mapping[str, tuple[tuple[Finding, ...], tuple[Issue, ...]]],
) -> list[Facts]:
    meta = catalogue()
    about: dict[tuple[str, str, str], list[Misconfiguration]] = {}
    for f in found:
        if isinstance(f, Misconfiguration) and (k := _key(f.location.object)) is not None:
            about.setdefault(k, []).append(f)
    held = holdings(rbac)
    facts = []
    for o in running:
        ref = ObjectRef(kind=o.kind, name=o.name, namespace=o.namespace)
        mine = about.get(_key(ref) or ("", "", ""), [])
        reasons: list[tuple[str, str]] = []
        pss = {meta[f.id].pss[1] for f in mine if f.id in meta and meta[f.id].pss}  # type: ignore[index]
        if pss & PRIVILEGED_PSS:
            reasons.append(
                (
                    "privileged",
                    f"runs privileged or shares the host ({', '.join(sorted(pss & PRIVILEGED_PSS))})",
                )
            )
        elif pss:
            reasons.append(("pss", f"fails {len(pss)} Pod Security Standards controls"))
        if any(f.id == "HG-CL-030" for f in mine):
            reasons.append(("exposed", "reachable from every pod and address (no ingress NetworkPolicy)"))
        for f in mine:
            if f.id == "HG-CL-020":
                reasons.append(
                    (
                        "escalation",
                        "its service account leads to cluster-admin: " + " → ".join(f.location.steps[1:]),
                    )
                )
                break
        sa = service_account(o)
        if sa is not None and any(h.capability.rule_id == "HG-CL-001" for h in effective(sa, held)):
            reasons.append(("secrets", f"service account {sa.namespace}/{sa.name} can read secrets"))
        for c in o.workload.containers if o.workload else ():
            if c.image in images:
                reasons.extend(image_reasons(images[c.image][0]))
        facts.append(Facts(workload=ref, path=o.path, reasons=tuple(reasons)))
    return facts
