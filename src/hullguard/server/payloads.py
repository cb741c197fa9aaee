"""An alert as each kind of receiver wants it: generic JSON, Slack incoming webhook, Teams MessageCard."""

from __future__ import annotations

import json
from typing import Any

from hullguard.server.schema import Alert

_COLOURS = {"CRITICAL": "B71C1C", "HIGH": "E65100", "MEDIUM": "F9A825", "LOW": "1565C0", "UNKNOWN": "616161"}


def payload(style: str, alert: Alert, base_url: str = "") -> dict[str, Any]:
    subject = alert.image_ref or alert.workload or "hullguard"
    text = f"[{alert.severity}] {alert.title} — {subject}"
    link = f"{base_url}/alerts/{alert.id}" if base_url else None
    match style:
        case "slack":
            # Slack incoming webhooks: `text` is required; blocks add structure where supported.
            return {
                "text": text,
                "blocks": [
                    {"type": "header", "text": {"type": "plain_text", "text": f"hullguard {alert.kind} alert"[:150]}},
                    {"type": "section", "text": {"type": "mrkdwn", "text": f"*{alert.severity}* {alert.title}\n`{subject}`"}},
                ],
            }
        case "teams":
            card: dict[str, Any] = {
                "@type": "MessageCard",
                "@context": "https://schema.org/extensions",
                "summary": text[:200],
                "themeColor": _COLOURS.get(alert.severity, "616161"),
                "title": f"hullguard {alert.kind} alert: {alert.severity}",
                "sections": [{"activityTitle": alert.title, "facts": [{"name": "Subject", "value": subject},
                                                                      {"name": "Kind", "value": alert.kind}]}],
            }
            if link:
                card["potentialAction"] = [{"@type": "OpenUri", "name": "Open", "targets": [{"os": "default", "uri": link}]}]
            return card
        case _:
            return {
                "id": alert.id, "kind": alert.kind, "severity": alert.severity, "title": alert.title,
                "image": alert.image_ref, "workload": alert.workload, "created_at": alert.created_at.isoformat() + "Z",
                "detail": json.loads(alert.detail), "url": link,
            }
