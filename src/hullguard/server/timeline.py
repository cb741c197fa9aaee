"""An incident timeline for one image or workload: reports, alerts, runtime events, admission decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hullguard.server.queries import counts_of, recent_alerts
from hullguard.server.schema import Image, Report


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    time: datetime
    kind: str
    severity: str
    title: str

    def as_dict(self) -> dict[str, Any]:
        return {"time": self.time.isoformat() + "Z", "kind": self.kind, "severity": self.severity, "title": self.title}


def timeline(session: Session, *, image_ref: str | None = None, workload: str | None = None,
             limit: int = 200) -> list[Entry]:
    """Oldest first, as an incident is told."""
    entries = [
        Entry(time=a.created_at, kind=a.kind, severity=a.severity, title=a.title)
        for a in recent_alerts(session, limit, image_ref=image_ref, workload=workload)
    ]
    if image_ref is not None:
        image = session.scalar(select(Image).where(Image.ref == image_ref))
        if image is not None:
            from sqlalchemy.orm import defer

            reports = session.scalars(
                select(Report).options(defer(Report.document)).where(Report.image_id == image.id)
                .order_by(Report.created_at.desc()).limit(limit)
            )
            for r in reports:
                counts = ", ".join(f"{n} {s}" for s, n in counts_of(r).items() if n)
                what = "scanned" if r.reason == "scan" else "re-judged against new advisories"
                entries.append(Entry(time=r.created_at, kind=r.reason, severity="",
                                     title=f"{what}: {counts or 'no findings'} ({(r.digest or '')[:19]})"))
    return sorted(entries, key=lambda e: e.time)


def to_markdown(heading: str, entries: list[Entry]) -> str:
    lines = [f"# {heading}", "", "| time (UTC) | kind | severity | what |", "|---|---|---|---|"]
    for e in entries:
        title = e.title.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {e.time.isoformat(timespec='seconds')} | {e.kind} | {e.severity} | {title} |")
    return "\n".join(lines) + "\n"
