"""Deliver pending alerts to webhook targets: retries with exponential backoff, a per-target rate limit."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hullguard.server.config import AlertTarget, ServerConfig
from hullguard.server.payloads import payload
from hullguard.server.schema import Alert, Delivery
from hullguard.server.store import now

log = logging.getLogger("hullguard.server")
MAX_ATTEMPTS = 6
BASE_DELAY = 1.0
MAX_DELAY = 300.0


def deliver_due(sessions: sessionmaker[Session], config: ServerConfig, client: httpx.Client) -> int:
    """Send every delivery that is due; returns how many were attempted."""
    targets = {t.name: t for t in config.alert_targets}
    attempted = 0
    with sessions() as session:
        due = list(session.scalars(
            select(Delivery).where(Delivery.status == "pending", Delivery.next_at <= now()).order_by(Delivery.id).limit(100)
        ))
        for delivery in due:
            target = targets.get(delivery.target)
            if target is None:
                delivery.status, delivery.last_error = "failed", "target no longer configured"
                continue
            if _over_limit(session, target):
                delivery.next_at = now() + timedelta(seconds=60 / max(target.max_per_minute, 1))
                continue
            alert = session.get(Alert, delivery.alert_id)
            assert alert is not None
            attempted += 1
            _attempt(delivery, target, alert, client)
        session.commit()
    return attempted


def _over_limit(session: Session, target: AlertTarget) -> bool:
    sent = session.scalar(
        select(func.count()).select_from(Delivery).where(
            Delivery.target == target.name, Delivery.status == "sent", Delivery.next_at >= now() - timedelta(minutes=1)
        )
    )
    return int(sent or 0) >= target.max_per_minute


def _attempt(delivery: Delivery, target: AlertTarget, alert: Alert, client: httpx.Client) -> None:
    delivery.attempts += 1
    retry_after: float | None = None
    try:
        response = client.post(target.url, json=payload(target.style, alert), timeout=10.0)
        if response.status_code < 300:
            delivery.status, delivery.next_at, delivery.last_error = "sent", now(), None
            return
        error = f"HTTP {response.status_code}"
        if response.status_code == 429 and response.headers.get("retry-after", "").isdigit():
            retry_after = float(response.headers["retry-after"])
    except httpx.HTTPError as e:
        error = f"{type(e).__name__}: {e}"
    delivery.last_error = error
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = "failed"
        log.warning("alert %s to %s failed after %d attempts: %s", alert.id, target.name, delivery.attempts, error)
        return
    delay = retry_after if retry_after is not None else min(BASE_DELAY * 2 ** (delivery.attempts - 1), MAX_DELAY)
    delivery.next_at = now() + timedelta(seconds=delay)
