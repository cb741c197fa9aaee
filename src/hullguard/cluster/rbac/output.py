"""who-can results as JSON (the documented shape) and as a table grouped by subject."""

from __future__ import annotations

from typing import Any, TextIO

from hullguard.cluster.rbac.resources import Resource
from hullguard.cluster.rbac.whocan import Grant
from hullguard.model import Issue
from hullguard.model.finding import KubeObject as ObjectRef
from hullguard.model.finding import Subject


def _ref(ref: ObjectRef) -> dict[str, str]:
    return {"kind": ref.kind, "name": ref.name, **({"namespace": ref.namespace} if ref.namespace else {})}


def _subject(s: Subject) -> dict[str, str]:
    return {"kind": s.kind, "name": s.name, **({"namespace": s.namespace} if s.namespace else {})}


def by_subject(grants: tuple[Grant, ...]) -> dict[Subject, list[Grant]]:
    grouped: dict[Subject, list[Grant]] = {}
    for g in grants:
        grouped.setdefault(g.subject, []).append(g)
    return grouped


def whocan_json(
    verb: str, want: Resource, namespace: str | None, grants: tuple[Grant, ...], issues: tuple[Issue, ...]
) -> dict[str, Any]:
    subjects = []
    for subject, own in by_subject(grants).items():
        entries = [
            {
                "binding": _ref(g.binding),
                "role": _ref(g.role),
                "scope": g.namespace or "cluster",
                **({"resource_names": list(g.resource_names)} if g.resource_names else {}),
            }
            for g in own
        ]
        subjects.append(
            {**_subject(subject), "restricted": all(g.resource_names for g in own), "grants": entries}
        )
    return {
        "verb": verb,
        "resource": str(want),
        "api_group": want.group,
        "namespace": namespace,
        "subjects": subjects,
        "issues": [
            {"stage": i.stage, "message": i.message, **({"path": i.path} if i.path else {})} for i in issues
        ],
    }


def whocan_table(
    verb: str, want: Resource, namespace: str | None, grants: tuple[Grant, ...], out: TextIO
) -> None:
    where = (
        f"in namespace {namespace}"
        if namespace
        else "in any namespace"
        if want.namespaced and not want.url
        else "cluster-wide"
    )
    group = f" (API group {want.group or 'core'})" if not want.url else ""
    out.write(f"Who can {verb} {want}{group} {where}:\n")
    if not grants:
        out.write("  nobody (apart from members of system:masters, which bypass RBAC)\n")
    kinds = ("User", "Group", "ServiceAccount")
    for kind in kinds:
        subjects = {s: g for s, g in by_subject(grants).items() if s.kind == kind}
        if not subjects:
            continue
        out.write(f"\n{kind}s:\n")
        for subject, own in subjects.items():
            name = f"{subject.namespace}/{subject.name}" if subject.namespace else subject.name
            out.write(f"  {name}\n")
            for g in own:
                scope = f"in {g.namespace}" if g.namespace else "cluster-wide"
                only = f"  only {', '.join(g.resource_names)}" if g.resource_names else ""
                out.write(f"    ← {g.binding.label()} → {g.role.label()} ({scope}){only}\n")
