"""SARIF 2.1.0 for GitHub code scanning: one rule per finding id, one result per finding.

GitHub reads `properties.security-severity` (a CVSS-like number) to rank alerts, and wants
every result to have a location, so image findings point at the file the package was read
from (the dpkg status file, a METADATA, a lock file) or, failing that, at the artifact.
"""

from __future__ import annotations

import json
from typing import Any, TextIO, assert_never

from hullguard import __version__
from hullguard.model import Finding, Report, Severity

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFO_URI = "https://github.com/hullguard/hullguard"
_LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.UNKNOWN: "note",
}
# Used when a finding has no CVSS score: the middle of each GitHub severity band.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: 9.5,
    Severity.HIGH: 8.0,
    Severity.MEDIUM: 5.5,
    Severity.LOW: 2.0,
    Severity.UNKNOWN: 0.0,
}


def write(report: Report, out: TextIO) -> None:
    json.dump(to_sarif(report), out, indent=2, sort_keys=True)
    out.write("\n")


def to_sarif(report: Report) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for finding in report.findings:
        if finding.id not in rules:
            rules[finding.id] = _rule(finding)
        results.append(_result(finding, report, list(rules).index(finding.id)))
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hullguard",
                        "version": __version__,
                        "informationUri": INFO_URI,
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
                "columnKind": "utf16CodeUnits",
                "originalUriBaseIds": {"ROOTPATH": {"uri": "file:///"}},
                "properties": {"artifact": report.artifact.name, "artifactType": report.artifact.type.value},
            }
        ],
    }


def _score(finding: Finding) -> float:
    score = finding.cvss_score if finding.kind == "vulnerability" else None
    return score if score is not None else _SECURITY_SEVERITY[finding.severity]


def _rule(finding: Finding) -> dict[str, Any]:
    help_text = finding.title
    uri = None
    if finding.kind == "vulnerability":
        uri = finding.references[0] if finding.references else None
        help_text = (
            f"{finding.title}\nAliases: {', '.join(finding.aliases) or 'none'}\n"
            f"Severity: {finding.severity.name}"
            + (f" (CVSS {finding.cvss_vector})" if finding.cvss_vector else "")
        )
    elif finding.kind == "misconfiguration" and finding.remediation:
        help_text = f"{finding.title}\n{finding.remediation}"
    rule: dict[str, Any] = {
        "id": finding.id,
        "name": finding.kind.capitalize(),
        "shortDescription": {"text": finding.title[:1024] or finding.id},
        "fullDescription": {"text": finding.title or finding.id},
        "help": {"text": help_text, "markdown": help_text.replace("\n", "  \n")},
        "defaultConfiguration": {"level": _LEVELS[finding.severity]},
        "properties": {
            "precision": "very-high",
            "security-severity": f"{_score(finding):.1f}",
            "tags": [finding.kind, "security", finding.severity.name],
        },
    }
    if uri:
        rule["helpUri"] = uri
    return rule


def _message(finding: Finding) -> str:
    match finding.kind:
        case "vulnerability":
            p = finding.package
            lines = [
                f"Package: {p.name}",
                f"Installed version: {p.version}",
                f"Fixed version: {finding.fixed_version or 'none yet'}",
                f"Severity: {finding.severity.name}",
            ]
            if finding.layer_created_by:
                lines.append(f"Introduced by layer step: {finding.layer_created_by}")
            return "\n".join(lines)
        case "misconfiguration":
            return finding.message
        case "secret":
            return f"{finding.title}: {finding.match}"
        case "runtime":
            return finding.output
        case _:
            assert_never(finding)


def _result(finding: Finding, report: Report, index: int) -> dict[str, Any]:
    loc = finding.location
    uri = (loc.path or "").lstrip("/") or report.artifact.name
    region: dict[str, Any] = {"startLine": loc.start_line or 1}
    if loc.end_line:
        region["endLine"] = loc.end_line
    result: dict[str, Any] = {
        "ruleId": finding.id,
        "ruleIndex": index,
        "level": _LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri, "uriBaseId": "ROOTPATH"},
                    "region": region,
                },
                "message": {"text": f"layer {loc.layer}" if loc.layer else uri},
            }
        ],
    }
    if finding.kind == "vulnerability":
        result["partialFingerprints"] = {
            "hullguard/v1": f"{finding.id}:{finding.package.name}:{finding.package.version}:{uri}"
        }
    return result
