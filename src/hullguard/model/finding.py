"""Findings: one union serves vulnerabilities, misconfigurations, secrets and runtime alerts alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hullguard.model.ids import RuleId, VulnId
from hullguard.model.package import Digest, Package
from hullguard.model.severity import Severity

FindingKind = Literal["vulnerability", "misconfiguration", "secret", "runtime"]


@dataclass(frozen=True, slots=True, kw_only=True)
class KubeObject:
    """A Kubernetes object a finding is about (a workload, a binding, a policy, a namespace)."""

    kind: str
    name: str
    namespace: str | None = None
    api_version: str | None = None

    def label(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """An RBAC subject: User, Group or ServiceAccount."""

    kind: str
    name: str
    namespace: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerRef:
    """A running (or once running) container: `id` is the full id, `host` for host processes."""

    id: str
    name: str | None = None
    image: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    """Where a finding is: a file (and line, layer), and/or a Kubernetes object, an RBAC
    subject with its escalation steps, a container. Every field is optional."""

    path: str | None = None
    start_line: int | None = None
    end_line: int | None = None
    layer: Digest | None = None
    object: KubeObject | None = None
    subject: Subject | None = None
    steps: tuple[str, ...] = ()
    """An escalation path, one human-readable step each ("SA ci/builder", "create pods in ci")."""
    container: ContainerRef | None = None

    def sort_key(self) -> tuple[str, int, str, str]:
        extra = ""
        if self.object is not None:
            extra = self.object.label()
        elif self.subject is not None:
            extra = f"{self.subject.kind} {self.subject.namespace or ''}/{self.subject.name}"
        elif self.container is not None:
            extra = self.container.id
        return (self.path or "", self.start_line or 0, self.layer or "", extra)


@dataclass(frozen=True, slots=True, kw_only=True)
class Vulnerability:
    kind: Literal["vulnerability"] = "vulnerability"
    id: VulnId
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
    id: RuleId
    severity: Severity
    title: str
    message: str
    location: Location = Location()
    remediation: str | None = None
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Secret:
    kind: Literal["secret"] = "secret"
    id: RuleId
    severity: Severity
    title: str
    match: str
    """Always redacted: never more than the first and last four characters."""
    location: Location = Location()
    removed_in_layer: Digest | None = None
    fingerprint: str | None = None
    """sha256 of the rule id and the secret: what a baseline stores, never the secret."""
    verification: str | None = None
    """With `--verify`: verified, invalid or unknown, as the credential's provider answered."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessInfo:
    """The process behind a runtime event."""

    pid: int
    name: str
    exe: str | None = None
    cmdline: str | None = None
    user: str | None = None
    tty: int | None = None
    parents: tuple[str, ...] = ()
    """Names of the ancestors, parent first."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeAlert:
    """A behavioural rule (Falco language) that matched a kernel or audit event."""

    kind: Literal["runtime"] = "runtime"
    id: str
    """The rule's name."""
    severity: Severity
    title: str
    output: str
    """The rule's output template rendered for this event."""
    time: str
    """RFC 3339 with nanoseconds, UTC."""
    location: Location = Location()
    process: ProcessInfo | None = None
    fields: tuple[tuple[str, str], ...] = ()
    """The event fields the rule's condition and output used, by name."""
    tags: tuple[str, ...] = ()
    source: str = "syscall"


Finding = Vulnerability | Misconfiguration | Secret | RuntimeAlert


def location_fingerprint(f: Secret) -> str:
    """A secret finding's commit-style fingerprint, `<layer>:<path>:<rule>:<line>` (gitleaks writes
    `<commit>:<path>:<rule>:<line>`): made of where the secret is, not of the secret, so it is
    safe to publish and to list in a baseline."""
    loc = f.location
    return f"{loc.layer or ''}:{loc.path or ''}:{f.id}:{loc.start_line or 0}"


def sort_findings(findings: tuple[Finding, ...] | list[Finding]) -> tuple[Finding, ...]:
    """Severity descending, then id, then location: the report's one order."""
    return tuple(sorted(findings, key=lambda f: (-f.severity, f.id, f.location.sort_key())))
