"""Kubernetes audit events (`audit.k8s.io/v1` Event, one JSON object per line), parsed once.

The typed fields are what rules ask about most; `raw` keeps the whole event so any `ka.*`
field (request bodies, annotations) can be read, as Falco's k8saudit plugin does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_LINE = 4 << 20
MAX_BAD_LINES = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    audit_id: str
    stage: str
    verb: str
    uri: str
    user: str
    groups: tuple[str, ...]
    source_ips: tuple[str, ...]
    user_agent: str
    resource: str
    subresource: str
    namespace: str
    name: str
    api_group: str
    code: int | None
    decision: str
    time: str
    raw: dict[str, Any]
    where: str
    """`FILE:LINE`"""


@dataclass(frozen=True, slots=True)
class BadLine:
    path: str
    line: int
    message: str


def parse_event(doc: dict[str, Any], where: str) -> AuditEvent:
    user = doc.get("user") or {}
    ref = doc.get("objectRef") or {}
    status = doc.get("responseStatus") or {}
    annotations = doc.get("annotations") or {}
    code = status.get("code")
    return AuditEvent(
        audit_id=str(doc.get("auditID", "")),
        stage=str(doc.get("stage", "")),
        verb=str(doc.get("verb", "")),
        uri=str(doc.get("requestURI", "")),
        user=str(user.get("username", "")),
        groups=tuple(str(g) for g in user.get("groups") or ()),
        source_ips=tuple(str(ip) for ip in doc.get("sourceIPs") or ()),
        user_agent=str(doc.get("userAgent", "")),
        resource=str(ref.get("resource", "")),
        subresource=str(ref.get("subresource", "")),
        namespace=str(ref.get("namespace", "")),
        name=str(ref.get("name", "")),
        api_group=str(ref.get("apiGroup", "")),
        code=code if isinstance(code, int) else None,
        decision=str(annotations.get("authorization.k8s.io/decision", "")),
        time=str(doc.get("stageTimestamp") or doc.get("requestReceivedTimestamp") or ""),
        raw=doc,
        where=where,
    )


def read_log(path: Path) -> Iterator[AuditEvent | BadLine]:
    """Events of one log file; a bad line is reported (up to MAX_BAD_LINES) and skipped.

    Also reads an EventList (`{"kind": "EventList", "items": [...]}`, the webhook backend's batch)."""
    bad = 0
    with path.open("rb") as f:
        for number, raw in enumerate(f, 1):
            if len(raw) > MAX_LINE:
                yield BadLine(str(path), number, f"line longer than {MAX_LINE >> 20} MiB, skipped")
                continue
            text = raw.strip()
            if not text:
                continue
            try:
                doc = json.loads(text)
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                bad += 1
                if bad <= MAX_BAD_LINES:
                    yield BadLine(str(path), number, f"not JSON: {e}")
                continue
            docs = doc.get("items") if isinstance(doc, dict) and doc.get("kind") == "EventList" else [doc]
            for item in docs or ():
                if (
                    not isinstance(item, dict)
                    or item.get("kind", "Event") != "Event"
                    or "auditID" not in item
                ):
                    bad += 1
                    if bad <= MAX_BAD_LINES:
                        yield BadLine(str(path), number, "not an audit.k8s.io Event (no auditID)")
                    continue
                yield parse_event(item, f"{path}:{number}")
    if bad > MAX_BAD_LINES:
        yield BadLine(str(path), 0, f"{bad - MAX_BAD_LINES} more bad lines not listed")
