"""The existing Kubernetes configuration rules and Pod Security Standards, run over the cluster's objects."""

from __future__ import annotations

from dataclasses import replace

from hullguard.cluster.model import Cluster
from hullguard.model import Misconfiguration
from hullguard.model.finding import KubeObject as ObjectRef
from hullguard.rules import rules_for
from hullguard.rules.base import Target
from hullguard.rules.engine import finding
from hullguard.rules.kubernetes import pss
from hullguard.rules.kubernetes.objects import KubeObject, manifest_context, obj, seq


def representatives(cluster: Cluster) -> list[KubeObject]:
    """Objects to run rules on: pods and ReplicaSets made by a controller share its template, so
    they are skipped when the controller is present, and one of them stands for it when it is not."""
    present = {(o.kind, o.namespace, o.name) for o in cluster.objects}
    chosen, seen = [], set()
    for o in cluster.objects:
        owner = controller_of(o)
        if owner is not None:
            if owner in present or owner in seen:
                continue
            seen.add(owner)
        chosen.append(o)
    return chosen


def controller_of(o: KubeObject) -> tuple[str, str | None, str] | None:
    for ref in seq(obj(o.raw.get("metadata")).get("ownerReferences")):
        ref = obj(ref)
        if ref.get("controller") is True and ref.get("kind") != "Node":
            return (str(ref.get("kind")), o.namespace, str(ref.get("name")))
    return None


def config_findings(cluster: Cluster) -> list[Misconfiguration]:
    objects = representatives(cluster)
    context = manifest_context(objects, pss.NEWEST_MINOR)
    active = pss.active(pss.RESTRICTED, pss.NEWEST_MINOR)
    rules = [r for r in rules_for(Target.KUBERNETES) if r.meta.pss is None or r.meta.pss[1] in active]
    found = []
    for o in objects:
        o = replace(o, context=context)
        ref = ObjectRef(kind=o.kind, name=o.name, namespace=o.namespace)
        for rule in rules:
            for v in rule.run(o):
                lines = (
                    v.lines
                    if v.lines is not None
                    else (o.doc.lines(v.node) if v.node is not None and o.doc.spans else None)
                )
                f = finding(rule, v, o.path, lines)
                found.append(replace(f, location=replace(f.location, object=ref)))
    return found
