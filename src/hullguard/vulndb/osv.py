"""OSV records parsed at the boundary into typed values (https://ossf.github.io/osv-schema/)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hullguard.errors import Error

_PYPI_NAME = re.compile(r"[-_.]+")
RANGE_TYPES = ("ECOSYSTEM", "SEMVER")
EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")


class RecordError(Error):
    """An OSV record that cannot be used; the import reports it and goes on."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    kind: str
    """introduced, fixed, last_affected or limit."""
    version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Range:
    type: str
    """ECOSYSTEM or SEMVER (GIT ranges name commits, which installed packages do not carry)."""
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Affected:
    ecosystem: str
    package: str
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()
    severity: str | None = None
    """A severity word the record gives for this package (database_specific / ecosystem_specific)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Severity:
    type: str
    score: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Advisory:
    id: str
    modified: str
    published: str | None = None
    withdrawn: str | None = None
    summary: str = ""
    details: str = ""
    aliases: tuple[str, ...] = ()
    severity: tuple[Severity, ...] = ()
    database_severity: str | None = None
    references: tuple[str, ...] = ()
    affected: tuple[Affected, ...] = ()

    @property
    def title(self) -> str:
        if self.summary:
            return self.summary
        first = self.details.strip().split("\n", 1)[0]
        return first[:117] + "..." if len(first) > 120 else first


def package_key(ecosystem: str, name: str) -> str:
    """The name as the index stores it: PyPI names normalised (PEP 503); NuGet and Packagist
    names are case-insensitive, so lower case; others as written."""
    base = ecosystem.partition(":")[0]
    if base == "PyPI":
        return _PYPI_NAME.sub("-", name).lower()
    if base in ("NuGet", "Packagist"):
        return name.lower()
    return name


def parse_advisory(doc: Any) -> Advisory:
    if not isinstance(doc, dict):
        raise RecordError("an OSV record must be a JSON/YAML object")
    ident = doc.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise RecordError("record has no string `id`")
    modified = doc.get("modified")
    if not isinstance(modified, str) or not modified:
        raise RecordError(f"{ident}: record has no `modified` timestamp")
    aliases = [
        *_strings(doc.get("aliases"), ident, "aliases"),
        *_strings(doc.get("upstream"), ident, "upstream"),
    ]
    return Advisory(
        id=ident,
        modified=_timestamp(modified),
        published=_timestamp(doc["published"]) if isinstance(doc.get("published"), str) else None,
        withdrawn=_timestamp(doc["withdrawn"]) if isinstance(doc.get("withdrawn"), str) else None,
        summary=str(doc.get("summary") or "").strip(),
        details=str(doc.get("details") or ""),
        aliases=tuple(dict.fromkeys(a for a in aliases if a != ident)),
        severity=tuple(_severities(doc.get("severity"), ident)),
        database_severity=_severity_word(doc.get("database_specific")),
        references=tuple(
            r["url"]
            for r in doc.get("references") or ()
            if isinstance(r, dict) and isinstance(r.get("url"), str)
        ),
        affected=tuple(_affected(a, ident) for a in _list(doc.get("affected"), ident, "affected")),
    )


def _timestamp(value: Any) -> str:
    # YAML may hand us a datetime; keep the RFC 3339 text so timestamps compare as strings.
    text = value if isinstance(value, str) else value.isoformat()
    return text.replace("+00:00", "Z")


def _list(value: Any, ident: str, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{ident}: `{key}` must be a list")
    return value


def _strings(value: Any, ident: str, key: str) -> list[str]:
    items = _list(value, ident, key)
    if not all(isinstance(s, str) for s in items):
        raise RecordError(f"{ident}: `{key}` must be a list of strings")
    return items


def _severities(value: Any, ident: str) -> list[Severity]:
    out = []
    for entry in _list(value, ident, "severity"):
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            raise RecordError(f"{ident}: each `severity` needs a `type` and a `score`")
        out.append(Severity(type=entry["type"], score=str(entry.get("score", ""))))
    return out


def _severity_word(specific: Any) -> str | None:
    if isinstance(specific, dict) and isinstance(specific.get("severity"), str):
        return str(specific["severity"])
    return None


def _affected(entry: Any, ident: str) -> Affected:
    if not isinstance(entry, dict):
        raise RecordError(f"{ident}: each `affected` entry must be an object")
    package = entry.get("package")
    if not isinstance(package, dict) or not package.get("ecosystem") or not package.get("name"):
        raise RecordError(f"{ident}: an `affected` entry has no package ecosystem and name")
    ranges = []
    for raw in _list(entry.get("ranges"), ident, "ranges"):
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            raise RecordError(f"{ident}: a range has no `type`")
        if raw["type"] not in RANGE_TYPES:
            continue
        events = []
        for event in _list(raw.get("events"), ident, "events"):
            if not isinstance(event, dict) or len(event) != 1:
                raise RecordError(f"{ident}: a range event must have exactly one of {', '.join(EVENT_KINDS)}")
            [(kind, version)] = event.items()
            if kind not in EVENT_KINDS or not isinstance(version, str | int | float):
                raise RecordError(f"{ident}: unknown range event {kind!r}")
            events.append(Event(kind=kind, version=str(version)))
        if not any(e.kind == "introduced" for e in events):
            raise RecordError(f"{ident}: a {raw['type']} range has no `introduced` event")
        ranges.append(Range(type=raw["type"], events=tuple(events)))
    versions = tuple(str(v) for v in _list(entry.get("versions"), ident, "versions"))
    specific = entry.get("ecosystem_specific") or entry.get("database_specific")
    return Affected(
        ecosystem=str(package["ecosystem"]),
        package=str(package["name"]),
        ranges=tuple(ranges),
        versions=versions,
        severity=_severity_word(specific),
    )
