"""Escalation paths: workloads run as service accounts; a subject that creates pods, mints tokens or
execs in a namespace becomes that namespace's service accounts; the paths that end at a
cluster-admin-equivalent subject are findings ("Deployment ci/runner → SA ci/builder → create pods
in ci → SA ci/deployer → cluster-admin")."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from hullguard.cluster.model import Cluster
from hullguard.cluster.rbac.grants import Held, effective, holdings
from hullguard.cluster.rbac.model import Rbac
from hullguard.cluster.rbac.risks import is_system, make_finding, subject_label
from hullguard.model import Location, Misconfiguration, Severity
from hullguard.model.finding import KubeObject as ObjectRef
from hullguard.model.finding import Subject
from hullguard.rules.kubernetes.objects import KubeObject, obj, seq

PIVOTS = {
    "HG-CL-002": "create pods",
    "HG-CL-007": "create tokens",
    "HG-CL-003": "exec into pods",
    "HG-CL-005": "impersonate service accounts",
    "HG-CL-004": "bind roles",
}
"""Held in a namespace, each of these makes its holder any service account there (exec: any that runs)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunsAs:
    workload: KubeObject
    account: Subject


def service_account(o: KubeObject) -> Subject | None:
    if o.workload is None:
        return None
    if o.kind == "Pod" and any(
        obj(r).get("controller") for r in seq(obj(o.raw.get("metadata")).get("ownerReferences"))
    ):
        return None  # its owner stands for it
    spec = o.workload.spec
    name = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    return Subject(kind="ServiceAccount", name=str(name), namespace=o.namespace or "default")


def runs_as(cluster: Cluster) -> list[RunsAs]:
    return [RunsAs(workload=o, account=sa) for o in cluster.objects if (sa := service_account(o)) is not None]


@dataclass(frozen=True, slots=True)
class Hop:
    step: str
    next: Subject | None
    """None: this subject is cluster-admin-equivalent; `step` says why."""


def escalation_hops(cluster: Cluster, rbac: Rbac, running: list[RunsAs]) -> dict[Subject, Hop]:
    """For every subject with a path to cluster-admin, its first hop on a shortest one."""
    held = holdings(rbac)
    accounts: dict[str, set[Subject]] = {}
    for o in cluster.of_kind("ServiceAccount"):
        accounts.setdefault(o.namespace or "default", set()).add(
            Subject(kind="ServiceAccount", name=o.name, namespace=o.namespace)
        )
    for r in running:
        accounts.setdefault(r.account.namespace or "default", set()).add(r.account)
    subjects = {s for group in accounts.values() for s in group} | {s for s in held if s.kind != "Group"}
    caps = {s: effective(s, held) for s in subjects} | {s: held[s] for s in held if s.kind == "Group"}
    exec_ns = {r.account for r in running}
    hops: dict[Subject, Hop] = {}
    queue: deque[Subject] = deque()
    by_ns: dict[str | None, list[tuple[Subject, Held]]] = {}
    for s, hs in caps.items():
        admin = min(
            (h for h in hs if h.admin), key=lambda h: h.capability.rule_id != "HG-CL-010", default=None
        )
        if admin is not None and not is_system(admin.binding, s):
            hops[s] = Hop(
                f"cluster-admin ({admin.capability.name} through {admin.binding.ref.label()} → {admin.role.ref.label()})",
                None,
            )
            queue.append(s)
        for h in hs:
            if h.capability.rule_id in PIVOTS and not is_system(h.binding, s):
                by_ns.setdefault(h.namespace, []).append((s, h))
    while queue:
        target = queue.popleft()
        if target.kind != "ServiceAccount":
            continue
        for s, h in (*by_ns.get(target.namespace, ()), *by_ns.get(None, ())):
            if s in hops or (h.capability.rule_id == "HG-CL-003" and target not in exec_ns):
                continue
            where = f"in {h.namespace}" if h.namespace else "cluster-wide"
            hops[s] = Hop(f"{PIVOTS[h.capability.rule_id]} {where}", target)
            queue.append(s)
    return hops


def path_of(start: Subject, hops: dict[Subject, Hop]) -> list[str]:
    steps = [subject_label(start)]
    current: Subject | None = start
    while current is not None and len(steps) < 32:
        hop = hops[current]
        steps.append(hop.step)
        if hop.next is not None:
            steps.append(subject_label(hop.next))
        current = hop.next
    return steps


def _line(o: KubeObject) -> int | None:
    return o.doc.lines(o.base)[0] if o.doc.spans else None


def iter_escalations(cluster: Cluster, rbac: Rbac) -> Iterator[Misconfiguration]:
    running = runs_as(cluster)
    hops = escalation_hops(cluster, rbac, running)
    for r in running:
        if r.account in hops:
            steps = (f"{r.workload.kind} {r.workload.namespace}/{r.workload.name}", *path_of(r.account, hops))
            yield make_finding(
                "HG-CL-020", Severity.CRITICAL, " → ".join(steps),
                Location(path=r.workload.path, start_line=_line(r.workload), object=ObjectRef(kind=r.workload.kind, name=r.workload.name, namespace=r.workload.namespace),
                         subject=r.account, steps=steps),
            )  # fmt: skip
    for s, hop in hops.items():
        if s.kind != "ServiceAccount" and hop.next is not None:
            steps = tuple(path_of(s, hops))
            yield make_finding(
                "HG-CL-020", Severity.HIGH, " → ".join(steps), Location(subject=s, steps=steps)
            )
