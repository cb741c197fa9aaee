"""Alerts: deduplicated by key, stored, and queued for delivery to each target that wants them."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hullguard.model import Severity
from hullguard.server.config import ServerConfig
from hullguard.server.schema import Alert, Delivery
from hullguard.server.store import finding_key, now


def record_alert(
    session: Session,
    config: ServerConfig,
    *,
    kind: str,
    key: str,
    severity: Severity,
    title: str,
    detail: dict[str, Any],
    image_ref: str | None = None,
    workload: str | None = None,
) -> Alert | None:
    """A new alert, or None when one with this key was raised before. The caller commits."""
    if session.scalar(select(Alert.id).where(Alert.dedup_key == key[:300])) is not None:
        return None
    alert = Alert(
        dedup_key=key[:300], kind=kind, severity=severity.name, title=title[:2000], image_ref=image_ref,
        workload=workload, created_at=now(), detail=json.dumps(detail, sort_keys=True),
    )
    session.add(alert)
    session.flush()
    _queue_deliveries(session, config, alert, severity)
    return alert


def _queue_deliveries(session: Session, config: ServerConfig, alert: Alert, severity: Severity) -> None:
    for target in config.alert_targets:
        if severity >= target.min_severity:
            session.add(Delivery(alert_id=alert.id, target=target.name, status="pending", attempts=0, next_at=now()))


def finding_alerts(
    session: Session, config: ServerConfig, image_ref: str, findings: list[dict[str, Any]], why: str
) -> int:
    """Alerts for findings new to an image, at or above the configured severity; returns how many."""
    return many_finding_alerts(session, config, [(image_ref, findings)], why)


def many_finding_alerts(
    session: Session, config: ServerConfig, new: list[tuple[str, list[dict[str, Any]]]], why: str
) -> int:
    """finding_alerts for many images: one query for the keys already alerted and one flush."""
    wanted: dict[str, tuple[str, Severity, dict[str, Any]]] = {}
    for image_ref, findings in new:
        for finding in findings:
            severity = Severity.parse(str(finding.get("severity", "UNKNOWN")))
            if severity >= config.alert_min_severity:
                wanted[f"finding|{image_ref}|{finding_key(finding)}"[:300]] = (image_ref, severity, finding)
    if not wanted:
        return 0
    seen: set[str] = set()
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        seen.update(session.scalars(select(Alert.dedup_key).where(Alert.dedup_key.in_(keys[start : start + 500]))))
    raised = []
    for key, (image_ref, severity, finding) in wanted.items():
        if key in seen:
            continue
        package = finding.get("package") or {}
        where = f" in {package.get('name')} {package.get('version')}" if package else ""
        raised.append(Alert(
            dedup_key=key, kind="finding", severity=severity.name, title=f"{finding.get('id')}{where} ({why})"[:2000],
            image_ref=image_ref, workload=None, created_at=now(), detail=json.dumps({"finding": finding, "why": why}),
        ))
    session.add_all(raised)
    session.flush()
    for alert in raised:
        _queue_deliveries(session, config, alert, Severity[alert.severity])
    return len(raised)
