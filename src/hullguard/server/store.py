"""Scans, images and their reports in the database: each change is one transaction."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hullguard.server.schema import SEVERITY_COLUMNS, Image, Report, Scan


class ScanStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def now() -> datetime:
    # Stored naive in UTC: SQLite keeps no zone, and both backends must read back the same value.
    return datetime.now(UTC).replace(tzinfo=None)


def new_scan(session: Session, target: str, ref: str, origin: str) -> Scan:
    """A queued scan; its image is listed from now on, with the status of its latest scan."""
    image = image_for(session, ref)
    image.status = ScanStatus.QUEUED.value
    scan = Scan(
        id=str(uuid.uuid4()), target=target, ref=ref, origin=origin, status=ScanStatus.QUEUED.value,
        attempts=0, created_at=now(), image_id=image.id,
    )
    session.add(scan)
    session.commit()
    return scan


def start_scan(session: Session, scan_id: str) -> Scan | None:
    """Mark a scan running and return it; None when it is unknown or already finished (a redelivery)."""
    scan = session.get(Scan, scan_id, with_for_update=True)
    if scan is None or scan.status in (ScanStatus.DONE, ScanStatus.FAILED):
        session.rollback()
        return None
    scan.status = ScanStatus.RUNNING.value
    _set_image_status(session, scan, ScanStatus.RUNNING)
    scan.attempts += 1
    scan.started_at = now()
    session.commit()
    return scan


def fail_scan(session: Session, scan_id: str, error: str) -> None:
    scan = session.get(Scan, scan_id)
    if scan is not None:
        scan.status, scan.error, scan.finished_at = ScanStatus.FAILED.value, error[:4000], now()
        _set_image_status(session, scan, ScanStatus.FAILED)
        session.commit()


def _set_image_status(session: Session, scan: Scan, status: ScanStatus) -> None:
    image = session.get(Image, scan.image_id) if scan.image_id is not None else None
    if image is not None:
        image.status = status.value


def severity_counts(findings: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(str(f.get("severity", "UNKNOWN")).lower() for f in findings)
    return {name: counts.get(name, 0) for name in SEVERITY_COLUMNS}


def finding_key(finding: dict[str, Any]) -> str:
    """What makes a finding the same one in two reports of an image."""
    package = finding.get("package") or {}
    location = finding.get("location") or {}
    return "|".join(
        str(x) for x in (finding.get("kind"), finding.get("id"), package.get("name"), package.get("version"),
                         location.get("path"), location.get("start_line"))
    )


def add_report(
    session: Session, image: Image, document: dict[str, Any], reason: str, scan_id: str | None,
    previous: dict[str, Any] | None = None,
) -> tuple[Report, list[dict[str, Any]]]:
    """Store a report as the image's latest; return it and the findings its previous report lacked
    (`previous`: that report's document, when the caller has it already). The caller commits."""
    report, new = new_report(session, image, document, reason, scan_id, previous)
    session.flush()
    make_latest(image, report)
    return report, new


def new_report(
    session: Session, image: Image, document: dict[str, Any], reason: str, scan_id: str | None,
    previous: dict[str, Any] | None = None, new: list[dict[str, Any]] | None = None,
) -> tuple[Report, list[dict[str, Any]]]:
    """A report added to the session but not yet flushed (callers storing many flush once).
    `new`: the findings the previous report lacked, when the caller knows them already."""
    findings = document.get("findings", [])
    if new is None:
        if previous is None and image.report_id:
            row = session.get(Report, image.report_id)
            previous = json.loads(row.document) if row else None
        known = {finding_key(f) for f in previous["findings"]} if previous else set()
        new = [f for f in findings if finding_key(f) not in known]
    report = Report(
        image_id=image.id, scan_id=scan_id, reason=reason, digest=(document.get("artifact") or {}).get("digest"),
        created_at=now(), document=json.dumps(document, separators=(",", ":")), **severity_counts(findings),
    )
    session.add(report)
    return report, new


def make_latest(image: Image, report: Report) -> None:
    """Point the image at a flushed report and copy its counts for the image list."""
    image.report_id, image.digest, image.status, image.scanned_at = report.id, report.digest, ScanStatus.DONE.value, now()
    for name in SEVERITY_COLUMNS:
        setattr(image, name, getattr(report, name))


def image_for(session: Session, ref: str) -> Image:
    image = session.scalar(select(Image).where(Image.ref == ref))
    if image is None:
        image = Image(ref=ref, status=ScanStatus.QUEUED.value, **dict.fromkeys(SEVERITY_COLUMNS, 0))
        session.add(image)
        session.flush()
    return image


def finish_scan(session: Session, scan_id: str, document: dict[str, Any]) -> tuple[Image, list[dict[str, Any]]]:
    """The scan's report, image and status in one transaction: a crash leaves the scan as it was."""
    scan = session.get(Scan, scan_id)
    assert scan is not None
    image = image_for(session, scan.ref)
    report, new = add_report(session, image, document, "scan", scan_id)
    scan.status, scan.report_id, scan.image_id, scan.finished_at = ScanStatus.DONE.value, report.id, image.id, now()
    scan.error = None
    return image, new
