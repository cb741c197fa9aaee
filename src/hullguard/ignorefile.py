"""The `--ignorefile` YAML (or Trivy's plain-text `.trivyignore`): entries with an id, optional package and path, a reason, an expiry.

Either a list of entries, or Trivy's layout (`vulnerabilities:`, `misconfigurations:`,
`secrets:` lists). Keys: `id`; `package` (name or purl) or `purls`; `path` or `paths`
(globs); `reason` or `statement`; `expires` or `expired_at` (YYYY-MM-DD).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hullguard import trivyignore
from hullguard.errors import UsageError
from hullguard.model import Finding, Issue, Vulnerability

_SECTIONS = ("vulnerabilities", "misconfigurations", "secrets")


@dataclass(frozen=True, slots=True, kw_only=True)
class IgnoreRule:
    id: str
    packages: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    reason: str = ""
    expires: date | None = None
    source: str = ""
    owner: str = ""
    """Who answers for the exception (shown by the service's policies page)."""

    def applies(self, finding: Finding) -> bool:
        """Any kind of finding: by id (or a vulnerability's alias), package (vulnerabilities
        only), and path glob."""
        if finding.kind == "vulnerability":
            if self.id != finding.id and self.id not in finding.aliases:
                return False
            if self.packages and not any(_package_matches(p, finding) for p in self.packages):
                return False
            path = finding.location.path or finding.package.path or ""
        else:
            if self.id != finding.id or self.packages:
                return False
            path = finding.location.path or ""
        return not self.paths or any(fnmatch.fnmatchcase(path.lstrip("/"), p.lstrip("/")) for p in self.paths)

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today


def apply_ignore_rules(
    findings: Iterable[Finding], rules: tuple[IgnoreRule, ...], today: date
) -> tuple[list[Finding], list[Issue]]:
    """Drop findings an active entry covers; an expired entry suppresses nothing and is named
    once in the notes. Works for every kind of finding."""
    kept: list[Finding] = []
    expired: dict[int, IgnoreRule] = {}
    for finding in findings:
        matching = [r for r in rules if r.applies(finding)]
        if any(not r.expired(today) for r in matching):
            continue
        for rule in matching:
            expired.setdefault(id(rule), rule)
        kept.append(finding)
    notes = [
        Issue(
            stage="ignorefile",
            path=rule.source,
            message=f"entry {rule.id} expired on {rule.expires.isoformat() if rule.expires else '?'}; "
            "it no longer suppresses" + (f" (reason was: {rule.reason})" if rule.reason else ""),
        )
        for rule in expired.values()
    ]
    return kept, notes


def _package_matches(wanted: str, finding: Vulnerability) -> bool:
    package = finding.package
    if wanted.startswith("pkg:"):
        purl = package.purl.split("?")[0]
        return purl == wanted.split("?")[0] or purl.split("@")[0] == wanted.split("?")[0]
    return wanted.lower() == package.name.lower()


def load_ignorefile(path: Path) -> tuple[IgnoreRule, ...]:
    """The YAML layouts above, or Trivy's plain-text `.trivyignore` (hullguard.trivyignore)."""
    import yaml  # only when there is an ignore file: a scan without one skips its import

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"--ignorefile {path}: cannot read: {e}") from e
    if trivyignore.is_plain(path, text):
        plain = trivyignore.parse_plain(text, path)
        return tuple(IgnoreRule(id=ident, expires=expires, source=str(path)) for ident, expires in plain)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise UsageError(f"--ignorefile {path}: not valid YAML: {e}") from e
    if doc is None:
        return ()
    if isinstance(doc, dict):
        unknown = sorted(str(k) for k in doc if k not in _SECTIONS)
        if unknown:
            raise UsageError(
                f"--ignorefile {path}: unknown key {', '.join(unknown)}; expected a list of entries "
                f"or the keys {', '.join(_SECTIONS)}"
            )
        if not all(isinstance(doc[k] or [], list) for k in doc):
            raise UsageError(f"--ignorefile {path}: each of {', '.join(_SECTIONS)} must be a list of entries")
        entries = [e for key in _SECTIONS for e in doc.get(key) or ()]
    elif isinstance(doc, list):
        entries = doc
    else:
        raise UsageError(f"--ignorefile {path}: expected a list of entries or a `vulnerabilities:` list")
    return tuple(_rule(entry, n, path) for n, entry in enumerate(entries, 1))


def _rule(entry: Any, number: int, path: Path) -> IgnoreRule:
    where = f"--ignorefile {path}: entry {number}"
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise UsageError(f"{where}: expected a mapping with a string `id`")
    expires = entry.get("expires", entry.get("expired_at"))
    if isinstance(expires, datetime):
        expires = expires.date()
    elif isinstance(expires, str):
        try:
            expires = date.fromisoformat(expires)
        except ValueError:
            raise UsageError(
                f"{where} ({entry['id']}): `expires` {expires!r} is not a YYYY-MM-DD date"
            ) from None
    elif expires is not None and not isinstance(expires, date):
        raise UsageError(f"{where} ({entry['id']}): `expires` must be a YYYY-MM-DD date")
    return IgnoreRule(
        id=entry["id"],
        packages=_strings(entry.get("package"), entry.get("purls")),
        paths=_strings(entry.get("path"), entry.get("paths")),
        reason=str(entry.get("reason") or entry.get("statement") or ""),
        expires=expires,
        source=str(path),
        owner=str(entry.get("owner") or ""),
    )


def _strings(*values: Any) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            out.extend(str(v) for v in value)
    return tuple(out)
