"""Re-judge stored inventories against the current advisories, without touching any registry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hullguard.model import OS, Digest, Package, PackageType, Severity
from hullguard.server.alerts import finding_alerts
from hullguard.server.config import ServerConfig
from hullguard.server.schema import Image, Report
from hullguard.server.store import add_report, finding_key

BATCH = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    images: int
    packages: int
    changed: int
    alerts: int


def _packages(document: dict[str, Any]) -> Iterator[Package]:
    for p in document.get("packages") or ():
        try:
            kind = PackageType(p["type"])
        except (KeyError, ValueError):
            continue
        yield Package(
            type=kind, name=p["name"], version=p["version"], purl=p.get("purl", ""), source_name=p.get("source_name"),
            source_version=p.get("source_version"), arch=p.get("arch"), licenses=tuple(p.get("licenses") or ()),
            layer=p.get("layer"), path=p.get("path"), modularity_label=p.get("modularity_label"), dev=bool(p.get("dev")),
        )


def _os(document: dict[str, Any]) -> OS | None:
    os = (document.get("artifact") or {}).get("os")
    if not os:
        return None
    eol_date = date.fromisoformat(os["eol_date"]) if os.get("eol_date") else None
    return OS(family=os["family"], version=os["version"], name=os.get("name"), eol=os.get("eol"), eol_date=eol_date)


def _provenance(findings: list[dict[str, Any]]) -> Any:
    """What the scan knew of each layer (history step, base image or not), from its findings."""
    known: dict[str | None, tuple[str | None, bool | None]] = {}
    for f in findings:
        layer = (f.get("location") or {}).get("layer")
        if layer and f.get("kind") == "vulnerability":
            known[layer] = (f.get("layer_created_by"), f.get("in_base_image"))

    def describe(layer: Digest | None) -> tuple[str | None, bool | None]:
        return known.get(layer, (None, None))

    return describe


def _sort_key(f: dict[str, Any]) -> tuple[int, str, str, int, str]:
    loc = f.get("location") or {}
    return (-Severity.parse(f.get("severity", "UNKNOWN")), f.get("id", ""), loc.get("path") or "",
            loc.get("start_line") or 0, loc.get("layer") or "")


def rejudged(document: dict[str, Any], matcher: Any, config: ServerConfig) -> dict[str, Any] | None:
    """The document with its vulnerability findings matched anew; None when nothing changed."""
    from hullguard.ignorefile import apply_ignore_rules
    from hullguard.report.json import finding_dict

    old = document.get("findings", [])
    vulns, _ = matcher.match(list(_packages(document)), _os(document), _provenance(old))
    if config.ignore_rules:
        vulns, _ = apply_ignore_rules(vulns, config.ignore_rules, datetime.now(UTC).date())
    fresh = [finding_dict(v) for v in vulns]
    kept = [f for f in old if f.get("kind") != "vulnerability"]
    if {finding_key(f) for f in fresh} == {finding_key(f) for f in old if f.get("kind") == "vulnerability"}:
        return None
    return {**document, "findings": sorted(kept + fresh, key=_sort_key)}


def rejudge_all(sessions: sessionmaker[Session], config: ServerConfig) -> Outcome:
    from hullguard.matchers.match import Matcher
    from hullguard.vulndb import store

    images = packages = changed = alerts = 0
    with store.opened(store.db_path(config.cache_dir)) as conn, sessions() as session:
        matcher = Matcher(conn)
        ids = list(session.scalars(select(Image.id).where(Image.report_id.is_not(None)).order_by(Image.id)))
        for start in range(0, len(ids), BATCH):
            rows = session.execute(
                select(Image, Report.document).join(Report, Report.id == Image.report_id)
                .where(Image.id.in_(ids[start : start + BATCH]))
            ).all()
            for image, text in rows:
                document = json.loads(text)
                images += 1
                packages += len(document.get("packages") or ())
                updated = rejudged(document, matcher, config)
                if updated is None:
                    continue
                changed += 1
                _, new = add_report(session, image, updated, "rejudge", None)
                alerts += finding_alerts(session, config, image.ref, new, "new advisory")
            session.commit()
    return Outcome(images=images, packages=packages, changed=changed, alerts=alerts)
