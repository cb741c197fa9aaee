"""`db status`: what the database holds and how old it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hullguard.vulndb import store


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    location: str
    imported_at: str
    records: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Status:
    path: Path
    advisories: int
    withdrawn: int
    per_ecosystem: tuple[tuple[str, int], ...]
    newest_modified: str | None
    sources: tuple[Source, ...]
    age: timedelta | None
    """Since the newest advisory was modified."""
    origin: str | None = None
    """The registry artifact it was pulled from (`db update --from`); None when imported here."""
    built: str | None = None
    """When it was built: the artifact's creation time, else the last import here."""
    built_age: timedelta | None = None

    def is_stale(self, limit: timedelta) -> bool:
        return self.age is None or self.age > limit


def read_status(path: Path, now: datetime | None = None) -> Status:
    now = now or datetime.now(UTC)
    with store.opened(path) as conn:
        total = conn.execute("SELECT COUNT(*) FROM advisories WHERE withdrawn IS NULL").fetchone()[0]
        withdrawn = conn.execute("SELECT COUNT(*) FROM advisories WHERE withdrawn IS NOT NULL").fetchone()[0]
        per = conn.execute(
            "SELECT base, COUNT(DISTINCT advisory_id) FROM affected GROUP BY base ORDER BY base"
        ).fetchall()
        newest = conn.execute("SELECT MAX(modified) FROM advisories").fetchone()[0]
        sources = conn.execute(
            "SELECT location, imported_at, records FROM sources ORDER BY location"
        ).fetchall()
        meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('origin', 'origin_created')"))
    origin = meta.get("origin")
    built = meta.get("origin_created") if origin else max((at for _, at, _ in sources), default=None)
    return Status(
        path=path,
        advisories=total,
        withdrawn=withdrawn,
        per_ecosystem=tuple((str(e), int(n)) for e, n in per),
        newest_modified=newest,
        sources=tuple(Source(location=loc, imported_at=at, records=n) for loc, at, n in sources),
        age=_since(newest, now),
        origin=origin,
        built=built,
        built_age=_since(built, now),
    )


def _since(stamp: str | None, now: datetime) -> timedelta | None:
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return now - (when if when.tzinfo else when.replace(tzinfo=UTC))
