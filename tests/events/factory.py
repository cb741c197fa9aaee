"""Hand-written events: a tiny `ka.*` table over dicts (as a Kubernetes audit source would have)."""

from __future__ import annotations

from typing import Any

from hullguard.events.fields import ArgKind, FieldTable, FieldType, Value
from hullguard.events.fields import field_spec as f

Doc = dict[str, Any]


def _path(doc: Doc, path: str) -> Value:
    value: Any = doc
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return value if isinstance(value, (str, int, bool)) else None


AUDIT_FIELDS: FieldTable[Doc] = FieldTable(
    source="k8s_audit",
    specs=(
        f("ka.verb", FieldType.STRING, lambda d, _: _path(d, "verb")),
        f("ka.user.name", FieldType.STRING, lambda d, _: _path(d, "user.username")),
        f("ka.user.groups", FieldType.STRING, lambda d, _: _path(d, "user.groups"), multi=True),
        f("ka.target.resource", FieldType.STRING, lambda d, _: _path(d, "objectRef.resource")),
        f("ka.target.namespace", FieldType.STRING, lambda d, _: _path(d, "objectRef.namespace")),
        f("ka.response.code", FieldType.INT, lambda d, _: _path(d, "responseStatus.code")),
        f("ka.req.pod.containers.privileged", FieldType.BOOL,
          lambda d, _: _path(d, "requestObject.privileged")),
        f("ka.uri.param", FieldType.STRING, lambda d, k: _path(d, f"params.{k}"), arg=ArgKind.KEY,
          arg_required=True),
    ),
)

POD_CREATE: Doc = {
    "verb": "create",
    "user": {"username": "system:serviceaccount:ci:builder", "groups": ["system:serviceaccounts", "ci"]},
    "objectRef": {"resource": "pods", "namespace": "ci"},
    "responseStatus": {"code": 201},
    "requestObject": {"privileged": True},
    "params": {"dryRun": "All"},
}
