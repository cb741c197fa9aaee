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
from hullguard.rules.kubernetes.objects import manifest_context


def config_findings(cluster: Cluster) -> list[Misconfiguration]:
    objects = list(cluster.objects)
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
