"""Falco's k8saudit field names (`ka.*`) over an AuditEvent, so rules read like Falco's.

Values are strings, or tuples of strings for fields Falco treats as lists. Every `ka.*` field
Falco's k8s_audit_rules.yaml uses is here (a test keeps it so), so the Falco-language engine
can take this table as its k8saudit extractor.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hullguard.host.auditlog.event import AuditEvent

Value = str | tuple[str, ...] | None


def _pod_spec(e: AuditEvent) -> dict[str, Any]:
    obj = e.raw.get("requestObject") or {}
    spec = obj.get("spec") if isinstance(obj, dict) else None
    if isinstance(spec, dict) and isinstance(spec.get("template"), dict):  # a workload's pod template
        spec = spec["template"].get("spec") or {}
    return spec if isinstance(spec, dict) else {}


def _containers(e: AuditEvent, key: str = "containers") -> list[dict[str, Any]]:
    return [c for c in _pod_spec(e).get(key) or () if isinstance(c, dict)]


def _privileged(e: AuditEvent, key: str) -> tuple[str, ...]:
    return tuple(_flag((c.get("securityContext") or {}).get("privileged")) for c in _containers(e, key))


def _flag(value: Any) -> str:
    return "true" if value is True else "false"


def _binding(e: AuditEvent, part: str) -> Value:
    obj = e.raw.get("requestObject") or {}
    if not isinstance(obj, dict):
        return None
    if part == "role":
        return str((obj.get("roleRef") or {}).get("name", "")) or None
    return tuple(str(s.get("name", "")) for s in obj.get("subjects") or () if isinstance(s, dict))


def _request(e: AuditEvent) -> dict[str, Any]:
    obj = e.raw.get("requestObject")
    return obj if isinstance(obj, dict) else {}


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _images(e: AuditEvent, key: str) -> tuple[str, ...]:
    return tuple(str(c.get("image", "")) for c in _containers(e, key))


def _repository(image: str) -> str:
    """`registry:5000/app:1.2@sha256:…` -> `registry:5000/app`."""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def _role_rules(e: AuditEvent, key: str | None) -> tuple[str, ...]:
    rules = [r for r in _request(e).get("rules") or () if isinstance(r, dict)]
    if key is None:
        return tuple(_json(r) for r in rules)
    return tuple(str(v) for r in rules for v in r.get(key) or ())


FIELDS: dict[str, Callable[[AuditEvent], Value]] = {
    "ka.auditid": lambda e: e.audit_id,
    "ka.stage": lambda e: e.stage,
    "ka.verb": lambda e: e.verb,
    "ka.uri": lambda e: e.uri,
    "ka.user.name": lambda e: e.user,
    "ka.user.groups": lambda e: e.groups,
    "ka.sourceips": lambda e: e.source_ips,
    "ka.useragent": lambda e: e.user_agent,
    "ka.target.resource": lambda e: e.resource,
    "ka.target.subresource": lambda e: e.subresource or None,
    "ka.target.namespace": lambda e: e.namespace,
    "ka.target.name": lambda e: e.name,
    "ka.response.code": lambda e: None if e.code is None else str(e.code),
    "ka.auth.decision": lambda e: e.decision or None,
    "ka.auth.reason": lambda e: str((e.raw.get("annotations") or {}).get("authorization.k8s.io/reason", "")),
    "ka.impuser.name": lambda e: str((e.raw.get("impersonatedUser") or {}).get("username", "")) or None,
    "ka.req.binding.role": lambda e: _binding(e, "role"),
    "ka.req.binding.subjects": lambda e: _binding(e, "subjects"),
    "ka.req.pod.containers.image": lambda e: _images(e, "containers"),
    "ka.req.pod.initContainers.image": lambda e: _images(e, "initContainers"),
    "ka.req.pod.ephemeralContainers.image": lambda e: _images(e, "ephemeralContainers"),
    "ka.req.pod.containers.image.repository": lambda e: tuple(
        _repository(i) for i in _images(e, "containers")
    ),
    "ka.resp.name": lambda e: (
        str(((e.raw.get("responseObject") or {}).get("metadata") or {}).get("name", "")) or None
    ),
    "ka.response.reason": lambda e: str((e.raw.get("responseStatus") or {}).get("reason", "")) or None,
    "ka.req.configmap.name": lambda e: str((_request(e).get("metadata") or {}).get("name", "")) or None,
    "ka.req.configmap.obj": lambda e: _json(_request(e).get("data") or {}),
    "ka.req.role.rules": lambda e: _role_rules(e, None),
    "ka.req.role.rules.verbs": lambda e: _role_rules(e, "verbs"),
    "ka.req.role.rules.resources": lambda e: _role_rules(e, "resources"),
    "ka.req.service.type": lambda e: str((_request(e).get("spec") or {}).get("type", "")) or None,
    "ka.req.service.ports": lambda e: tuple(
        _json(p) for p in (_request(e).get("spec") or {}).get("ports") or ()
    ),
    "ka.req.pod.containers.privileged": lambda e: _privileged(e, "containers"),
    "ka.req.pod.initContainers.privileged": lambda e: _privileged(e, "initContainers"),
    "ka.req.pod.ephemeralContainers.privileged": lambda e: _privileged(e, "ephemeralContainers"),
    "ka.req.pod.host_network": lambda e: _flag(_pod_spec(e).get("hostNetwork")),
    "ka.req.pod.host_pid": lambda e: _flag(_pod_spec(e).get("hostPID")),
    "ka.req.pod.host_ipc": lambda e: _flag(_pod_spec(e).get("hostIPC")),
    "ka.req.pod.volumes.hostpath": lambda e: tuple(
        str((v.get("hostPath") or {}).get("path", ""))
        for v in _pod_spec(e).get("volumes") or ()
        if isinstance(v, dict) and v.get("hostPath")
    ),
}


def field(event: AuditEvent, name: str) -> Value:
    """`ka.uri.param[command]` reads a query parameter (all its values, joined by spaces)."""
    if name.startswith("ka.uri.param[") and name.endswith("]"):
        values = parse_qs(urlsplit(event.uri).query).get(name[len("ka.uri.param[") : -1])
        return " ".join(values) if values else None
    getter = FIELDS.get(name)
    if getter is None:
        raise KeyError(f"unknown audit field {name}")
    return getter(event)
