"""Risky RBAC grants as findings: one per subject, capability and binding, severity by reach."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.cluster.rbac.grants import Held, holdings
from hullguard.cluster.rbac.model import Binding, Rbac
from hullguard.model import Location, Misconfiguration, Severity
from hullguard.model.finding import Subject
from hullguard.model.ids import RuleId
from hullguard.rules.catalogue import catalogue

EVERYONE = frozenset({"system:anonymous", "system:unauthenticated", "system:authenticated"})


def subject_label(s: Subject) -> str:
    short = {"ServiceAccount": "SA"}.get(s.kind, s.kind)
    return f"{short} {s.namespace}/{s.name}" if s.namespace else f"{short} {s.name}"


def is_system(binding: Binding, subject: Subject) -> bool:
    """The control plane's own grants (system: bindings and subjects), which are expected."""
    if subject.name in EVERYONE or subject.name.startswith("system:serviceaccounts"):
        return False
    return binding.ref.name.startswith("system:") or subject.name.startswith("system:")


def make_finding(rule_id: str, severity: Severity, message: str, location: Location) -> Misconfiguration:
    meta = catalogue()[rule_id]  # type: ignore[index]
    return Misconfiguration(
        id=RuleId(rule_id), severity=severity, title=meta.title, message=message, location=location,
        remediation=meta.remediation, references=meta.references,
    )  # fmt: skip


def binding_location(binding: Binding, subject: Subject, steps: tuple[str, ...]) -> Location:
    return Location(
        path=binding.path,
        start_line=binding.line,
        end_line=binding.line,
        object=binding.ref,
        subject=subject,
        steps=steps,
    )


def _severity(h: Held) -> Severity:
    base = catalogue()[h.capability.rule_id].severity  # type: ignore[index]
    if h.admin:
        return Severity.CRITICAL
    return Severity(min(base + 1, Severity.CRITICAL)) if h.namespace is None else base


def iter_risks(rbac: Rbac) -> Iterator[Misconfiguration]:
    for subject, held in holdings(rbac).items():
        wildcard = {id(h.binding) for h in held if h.capability.rule_id == "HG-CL-010"}
        for h in held:
            if is_system(h.binding, subject) or (
                id(h.binding) in wildcard and h.capability.rule_id != "HG-CL-010"
            ):
                continue  # a wildcard role implies every other capability: one finding says it
            where = "cluster-wide" if h.namespace is None else f"in namespace {h.namespace}"
            steps = (
                subject_label(subject),
                h.binding.ref.label(),
                h.role.ref.label(),
                f"{h.capability.name} {where}",
            )
            also = (
                ", and so act as any service account there"
                if h.capability.rule_id in ("HG-CL-002", "HG-CL-007")
                else ""
            )
            yield make_finding(
                h.capability.rule_id, _severity(h),
                f"{subject_label(subject)} can {h.capability.name} {where}{also} ({h.binding.ref.label()} → {h.role.ref.label()})",
                binding_location(h.binding, subject, steps),
            )  # fmt: skip
    for binding in rbac.bindings:
        for subject in binding.subjects:
            if binding.role.name == "cluster-admin" and not is_system(binding, subject):
                where = (
                    "cluster-wide"
                    if binding.ref.kind == "ClusterRoleBinding"
                    else f"in namespace {binding.ref.namespace}"
                )
                yield make_finding(
                    "HG-CL-011", Severity.CRITICAL if binding.ref.kind == "ClusterRoleBinding" else Severity.HIGH,
                    f"{binding.ref.label()} binds cluster-admin to {subject_label(subject)} {where}",
                    binding_location(binding, subject, (subject_label(subject), binding.ref.label(), "cluster-admin")),
                )  # fmt: skip
            if (
                subject.kind in ("User", "Group")
                and subject.name in EVERYONE
                and not binding.ref.name.startswith("system:")
            ):
                yield make_finding(
                    "HG-CL-012", Severity.CRITICAL,
                    f"{binding.ref.label()} grants {binding.role.label()} to {subject.name}",
                    binding_location(binding, subject, (subject.name, binding.ref.label(), binding.role.label())),
                )  # fmt: skip
