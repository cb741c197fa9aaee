"""Findings: one union serves vulnerabilities, misconfigurations and secrets alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hullguard.model.package import Digest, Package
from hullguard.model.severity import Severity


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    path: str | None = None
    start_line: int | None = None
    end_line: int | None = None
    layer: Digest | None = None

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path or "", self.start_line or 0, self.layer or "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Vulnerability:
    kind: Literal["vulnerability"] = "vulnerability"
    id: str
    severity: Severity
    title: str
    package: Package
    aliases: tuple[str, ...] = ()
    fixed_version: str | None = None
    location: Location = Location()
    cvss_score: float | None = None
    cvss_vector: str | None = None
    references: tuple[str, ...] = ()
    layer_created_by: str | None = None
    in_base_image: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Misconfiguration:
    kind: Literal["misconfiguration"] = "misconfiguration"
    id: str
    severity: Severity
    title: str
    message: str
    location: Location = Location()
    remediation: str | None = None
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Secret:
    kind: Literal["secret"] = "secret"
    id: str
    severity: Severity
    title: str
    match: str
    """Always redacted: never more than the first and last four characters."""
    location: Location = Location()
    removed_in_layer: Digest | None = None
    fingerprint: str | None = None
    """sha256 of the rule id and the secret: what a baseline stores, never the secret."""


Finding = Vulnerability | Misconfiguration | Secret


def sort_findings(findings: tuple[Finding, ...] | list[Finding]) -> tuple[Finding, ...]:
    """Severity descending, then id, then location: the report's one order."""
    return tuple(sorted(findings, key=lambda f: (-f.severity, f.id, f.location.sort_key())))
