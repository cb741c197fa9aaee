"""Re-judge stored inventories against the current advisories, without touching any registry.

A fleet shares most of its packages (one base image under many services), so each distinct
package (name, version, source, OS release) is matched once per run and its findings reused
for every image that holds it, with that image's layer, path and layer history filled in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hullguard.model import OS, Package, PackageType, Severity
from hullguard.server.alerts import many_finding_alerts
from hullguard.server.config import ServerConfig
from hullguard.server.schema import Image, Report
from hullguard.server.store import finding_key, make_latest, new_report

BATCH = 200
Layers = dict[str | None, tuple[str | None, bool | None]]


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


def _layers(findings: list[dict[str, Any]]) -> Layers:
    """What the scan knew of each layer (history step, base image or not), from its findings."""
    return {
        (f.get("location") or {}).get("layer"): (f.get("layer_created_by"), f.get("in_base_image"))
        for f in findings if f.get("kind") == "vulnerability" and (f.get("location") or {}).get("layer")
    }


def _sort_key(f: dict[str, Any]) -> tuple[int, str, str, int, str]:
    loc = f.get("location") or {}
    return (-Severity.parse(f.get("severity", "UNKNOWN")), f.get("id", ""), loc.get("path") or "",
            loc.get("start_line") or 0, loc.get("layer") or "")


class FleetMatcher:
    """The matcher, remembered per distinct package for the length of one re-judgement."""

    def __init__(self, matcher: Any, config: ServerConfig) -> None:
        self._matcher = matcher
        self._config = config
        self._memo: dict[tuple[object, ...], list[dict[str, Any]]] = {}

    def _templates(self, key: tuple[object, ...], entry: dict[str, Any], os: OS | None) -> list[dict[str, Any]]:
        """The findings of one package, as finding dicts without its layer and path."""
        from hullguard.report.json import finding_dict

        package = next(_packages({"packages": [{**entry, "layer": None, "path": None}]}), None)
        found: list[Any] = []
        if package is not None:
            found, _ = self._matcher.match([package], os, None)
            if self._config.ignore_rules:
                from hullguard.ignorefile import apply_ignore_rules

                found, _ = apply_ignore_rules(found, self._config.ignore_rules, datetime.now(UTC).date())
        self._memo[key] = templates = [finding_dict(v) for v in found]
        return templates

    def findings(self, document: dict[str, Any], layers: Layers) -> list[dict[str, Any]]:
        os = _os(document)
        where = (os.family, os.release) if os else None
        out: list[dict[str, Any]] = []
        for p in document.get("packages") or ():
            key = (p.get("type"), p.get("name"), p.get("version"), p.get("source_name"), p.get("source_version"),
                   p.get("modularity_label"), p.get("purl"), where)
            templates = self._memo.get(key)
            if templates is None:
                templates = self._templates(key, p, os)
            if not templates:
                continue
            layer, path = p.get("layer"), p.get("path")
            created_by, in_base = layers.get(layer, (None, None))
            location = {k: v for k, v in (("path", path), ("layer", layer)) if v is not None}
            package = {"name": p["name"], "version": p["version"], "purl": p.get("purl", "")}
            for template in templates:
                finding = {**template, "package": package, "location": location}
                if created_by is not None:
                    finding["layer_created_by"] = created_by
                if in_base is not None:
                    finding["in_base_image"] = in_base
                out.append(finding)
        return out


def rejudged(document: dict[str, Any], matcher: FleetMatcher) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The document with its vulnerability findings matched anew, and the findings that are new;
    None when nothing changed."""
    old = document.get("findings", [])
    fresh = matcher.findings(document, _layers(old))
    known = {finding_key(f) for f in old if f.get("kind") == "vulnerability"}
    keys = [finding_key(f) for f in fresh]
    if set(keys) == known:
        return None
    kept = [f for f in old if f.get("kind") != "vulnerability"]
    new = [f for f, key in zip(fresh, keys, strict=True) if key not in known]
    return {**document, "findings": sorted(kept + fresh, key=_sort_key)}, new


def rejudge_all(sessions: sessionmaker[Session], config: ServerConfig) -> Outcome:
    from hullguard.matchers.match import Matcher
    from hullguard.vulndb import store

    images = packages = changed = alerts = 0
    with store.opened(store.db_path(config.cache_dir)) as conn, sessions() as session:
        matcher = FleetMatcher(Matcher(conn), config)
        ids = list(session.scalars(select(Image.id).where(Image.report_id.is_not(None)).order_by(Image.id)))
        for start in range(0, len(ids), BATCH):
            rows = session.execute(
                select(Image, Report.document).join(Report, Report.id == Image.report_id)
                .where(Image.id.in_(ids[start : start + BATCH]))
            ).all()
            stored: list[tuple[Image, Report, list[dict[str, Any]]]] = []
            for image, text in rows:
                document = json.loads(text)
                images += 1
                packages += len(document.get("packages") or ())
                outcome = rejudged(document, matcher)
                if outcome is not None:
                    updated, new = outcome
                    stored.append((image, new_report(session, image, updated, "rejudge", None, new=new)[0], new))
            session.flush()  # the batch's reports in one round of inserts
            for image, report, _ in stored:
                make_latest(image, report)
            alerts += many_finding_alerts(session, config, [(i.ref, new) for i, _, new in stored], "new advisory")
            changed += len(stored)
            session.commit()
    return Outcome(images=images, packages=packages, changed=changed, alerts=alerts)
