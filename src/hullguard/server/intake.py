"""Runtime alerts and admission decisions posted to the service, checked and stored as alerts."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.orm import Session

from hullguard.errors import Error
from hullguard.model import Severity
from hullguard.server.alerts import record_alert
from hullguard.server.config import ServerConfig
from hullguard.server.schema import Alert


class IntakeError(Error):
    """A posted runtime alert or admission decision that lacks what it must have."""


def _text(doc: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
    value = doc.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > 2000:
        raise IntakeError(f"{where}.{key}: expected a non-empty string")
    return value


def _severity(doc: dict[str, Any], where: str) -> Severity:
    try:
        return Severity.parse(str(doc.get("severity", "")))
    except ValueError as e:
        raise IntakeError(f"{where}.severity: {e}") from e


def _workload(obj: Any) -> str | None:
    if not isinstance(obj, dict) or not obj.get("name"):
        return None
    return "/".join(str(x) for x in (obj.get("namespace") or "-", obj.get("kind") or "Pod", obj["name"]))


def _key(kind: str, doc: dict[str, Any]) -> str:
    return f"{kind}|{hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()}"


def runtime_alert(session: Session, config: ServerConfig, doc: Any) -> Alert | None:
    """A finding of kind `runtime` as hullguard's JSON report writes it (id = rule, output, container...)."""
    if not isinstance(doc, dict):
        raise IntakeError("expected a JSON object: a runtime finding")
    rule = _text(doc, "id", "alert")
    output = _text(doc, "output", "alert", required=False)
    container = doc.get("container") or (doc.get("location") or {}).get("container") or {}
    if not isinstance(container, dict):
        raise IntakeError("alert.container: expected an object {id, name, image}")
    fields = doc.get("fields") or {}
    workload = _workload(doc.get("workload")) or (
        f"{fields.get('k8s.ns.name', '-')}/Pod/{fields['k8s.pod.name']}" if isinstance(fields, dict) and fields.get("k8s.pod.name") else None
    )
    return record_alert(
        session, config, kind="runtime", key=_key("runtime", doc), severity=_severity(doc, "alert"),
        title=f"{rule}: {(output or doc.get('title') or '')[:300]}", image_ref=container.get("image"),
        workload=workload or container.get("name"), detail=doc,
    )


def admission_decision(session: Session, config: ServerConfig, doc: Any) -> Alert | None:
    """{"uid", "allowed", "reason", "object": {kind, namespace, name}, "images": [...]}: filed under
    each image and the workload; a denial is HIGH. Returns the first new alert (None: a resend)."""
    if not isinstance(doc, dict):
        raise IntakeError("expected a JSON object: an admission decision")
    uid = _text(doc, "uid", "decision")
    if not isinstance(doc.get("allowed"), bool):
        raise IntakeError("decision.allowed: expected true or false")
    images = doc.get("images") or []
    if not isinstance(images, list) or len(images) > 100 or not all(isinstance(i, str) and len(i) <= 500 for i in images):
        raise IntakeError("decision.images: expected a list of image references")
    workload = _workload(doc.get("object"))
    verdict = "allowed" if doc["allowed"] else "denied"
    alerts = [
        record_alert(
            session, config, kind="admission", key=f"admission|{uid}|{image or ''}",
            severity=Severity.LOW if doc["allowed"] else Severity.HIGH,
            title=f"admission {verdict}: {workload or '?'}: {str(doc.get('reason') or '')[:300]}",
            image_ref=image, workload=workload, detail=doc,
        )
        for image in (images or [None])
    ]
    return next((a for a in alerts if a is not None), None)
