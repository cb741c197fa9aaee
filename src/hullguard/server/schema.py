"""The service's tables (SQLAlchemy 2 declarative). Alembic migrations create them; see migrations/."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SEVERITY_COLUMNS = ("critical", "high", "medium", "low", "unknown")


class Base(DeclarativeBase):
    pass


class Token(Base):
    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    """sha256 of the token: the token itself is shown once and never stored."""
    created_at: Mapped[datetime]


class Counts:
    """Findings by severity, kept as columns so the image list needs no JSON."""

    critical: Mapped[int] = mapped_column(Integer, default=0)
    high: Mapped[int] = mapped_column(Integer, default=0)
    medium: Mapped[int] = mapped_column(Integer, default=0)
    low: Mapped[int] = mapped_column(Integer, default=0)
    unknown: Mapped[int] = mapped_column(Integer, default=0)


class Image(Counts, Base):
    __tablename__ = "images"
    # The image list's order (most severe first, then by name), walked in the index, not sorted per request.
    __table_args__ = (Index("ix_images_rank", text("critical DESC"), text("high DESC"), "ref"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(500), unique=True)
    digest: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    scanned_at: Mapped[datetime | None]
    signature: Mapped[str | None] = mapped_column(String(200))
    """What the registry holds of a cosign signature for the latest digest; None: none found."""
    report_id: Mapped[int | None] = mapped_column(Integer)
    """The latest report (no foreign key: reports point here, and a cycle helps nobody)."""


class Scan(Base):
    __tablename__ = "scans"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    target: Mapped[str] = mapped_column(String(500))
    """What is pulled: a reference, by digest for a pushed manifest."""
    ref: Mapped[str] = mapped_column(String(500))
    """The image it is filed under (repository:tag, or repository@digest)."""
    origin: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id"))
    report_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class Report(Counts, Base):
    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_image_created", "image_id", "created_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id"))
    scan_id: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(String(20))
    """`scan` (the image was read) or `rejudge` (stored packages matched against newer advisories)."""
    digest: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    document: Mapped[str] = mapped_column(Text)
    """The CLI's JSON report, as `--format json` writes it."""


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("dedup_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    """`finding`, `runtime` or `admission`."""
    severity: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(Text)
    image_ref: Mapped[str | None] = mapped_column(String(500), index=True)
    workload: Mapped[str | None] = mapped_column(String(300), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    detail: Mapped[str] = mapped_column(Text)
    """JSON: the finding, runtime alert or admission decision."""


class Delivery(Base):
    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    target: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), index=True)
    """`pending`, `sent`, `failed` (retries exhausted) or `dropped` (over the rate limit)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
