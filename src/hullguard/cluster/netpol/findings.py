"""NetworkPolicy posture findings: open workloads, namespaces without default-deny, internet egress,
policies that select nothing."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.cluster.model import Cluster
from hullguard.cluster.netpol.analyze import Evaluator, load_admins, load_policies, namespace_labels
from hullguard.cluster.netpol.peers import MAX_IP, Workload, iter_workloads
from hullguard.cluster.netpol.policy import NetworkPolicy
from hullguard.cluster.rbac.risks import make_finding
from hullguard.model import Issue, Location, Misconfiguration, Severity
from hullguard.model.finding import KubeObject as ObjectRef


def _where(p: NetworkPolicy) -> Location:
    line = p.object.doc.lines(p.object.base)[0] if p.object.doc.spans else None
    return Location(
        path=p.object.path,
        start_line=line,
        end_line=line,
        object=ObjectRef(kind="NetworkPolicy", name=p.name, namespace=p.namespace),
    )


def _workload(w: Workload) -> Location:
    o = w.object
    return Location(
        path=o.path if o else None, object=ObjectRef(kind=w.kind, name=w.name, namespace=w.namespace)
    )


def iter_netpol_findings(cluster: Cluster, issues: list[Issue]) -> Iterator[Misconfiguration]:
    policies = load_policies(cluster, issues)
    workloads = iter_workloads(cluster)
    ev = Evaluator(
        policies, namespace_labels(cluster), load_admins(cluster, issues)
    )  # admin policies protect too
    for w in workloads:
        if not ev.protected(w, ingress=True):
            yield make_finding(
                "HG-CL-030",
                Severity.MEDIUM,
                f"{w}: no NetworkPolicy or admin policy restricts ingress; every pod and address can connect",
                _workload(w),
            )
    for ns in sorted({w.namespace for w in workloads}):
        deny = any(p.namespace == ns and p.selector.empty and p.ingress == () for p in policies)
        if not deny:
            yield make_finding("HG-CL-031", Severity.LOW, f"namespace {ns} has no default-deny ingress NetworkPolicy",
                               Location(object=ObjectRef(kind="Namespace", name=ns)))  # fmt: skip
    for p in policies:
        if any(
            s.cidr and s.cidr[0][0] == 0 and s.cidr[-1][1] == MAX_IP
            for r in p.egress or ()
            for s in r.peers or ()
        ):
            yield make_finding(
                "HG-CL-032",
                Severity.LOW,
                f"NetworkPolicy {p.namespace}/{p.name} allows egress to 0.0.0.0/0",
                _where(p),
            )
        if not any(p.selects(w) for w in workloads):
            yield make_finding(
                "HG-CL-033",
                Severity.LOW,
                f"NetworkPolicy {p.namespace}/{p.name} selects no workload",
                _where(p),
            )
