"""Scanning a host: CIS benchmarks and hardening, running containers, Kubernetes audit logs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from hullguard.model import Artifact, ArtifactType, Finding, Issue, Report
from hullguard.pipeline.filters import filter_findings
from hullguard.pipeline.options import ScanOptions
from hullguard.pipeline.progress import Run
from hullguard.pipeline.targets import AuditLogTarget, HostTarget

if TYPE_CHECKING:
    from hullguard.host.auditlog.event import AuditEvent

AUDIT_CONTROLS = frozenset(f"HG-KUBE-{c}" for c in ("1.2.16", "1.2.17", "1.2.18", "1.2.19", "3.2.1"))
"""The API server's audit flags and policy: what `audit-log --root` adds."""


def scan_host_target(target: HostTarget, options: ScanOptions, run: Run) -> Report:
    from hullguard.host.scan import HostOptions, scan_host

    findings: list[Finding] = []
    issues: list[Issue] = []
    if target.host:
        run.step("host", detail=str(target.root))
        result = scan_host(HostOptions(root=target.root.resolve(), benchmark=target.benchmark))
        findings.extend(result.findings)
        issues.extend(result.issues)
    if target.containers:
        from hullguard.host.containers.scan import scan_containers

        run.step("containers", detail=target.docker_host or "")
        found, problems = scan_containers(target.docker_host)
        findings.extend(found)
        issues.extend(problems)
    name = "host" if target.root == Path("/") else f"host:{target.root}"
    return _report(Artifact(name=name, type=ArtifactType.FILESYSTEM), findings, issues, options)


def scan_audit_logs(target: AuditLogTarget, options: ScanOptions, run: Run) -> Report:
    from hullguard.host.auditlog.event import BadLine, read_log
    from hullguard.host.auditlog.rules import evaluate

    issues: list[Issue] = []

    def events() -> Iterator[AuditEvent]:
        for path in target.files:
            run.step("audit-log", detail=str(path))
            try:
                for item in read_log(path):
                    if isinstance(item, BadLine):
                        where = f"{item.path}:{item.line}" if item.line else item.path
                        issues.append(Issue(stage="audit-log", path=where, message=item.message))
                    else:
                        yield item
            except OSError as e:
                issues.append(Issue(stage="audit-log", path=str(path), message=f"cannot read: {e.strerror or e}"))

    falco: list[Finding] = []
    ruleset = None
    if target.falco_rules:
        from hullguard.host.auditlog.falco import evaluate_falco, load_audit_rules

        ruleset, problems = load_audit_rules(target.falco_rules)
        issues.extend(problems)

    def both() -> Iterator[AuditEvent]:  # one pass over the logs feeds both rule sets
        for event in events():
            if ruleset is not None:
                falco.extend(evaluate_falco(ruleset, (event,)))
            yield event

    findings: list[Finding] = list(evaluate(both(), target.cluster_cidrs))
    findings.extend(falco)
    if target.root is not None:
        from hullguard.host.scan import HostOptions, scan_host

        run.step("host", detail=str(target.root))
        result = scan_host(
            HostOptions(root=target.root.resolve(), benchmark="cis-kubernetes-node", only=AUDIT_CONTROLS)
        )
        findings.extend(result.findings)
        issues.extend(result.issues)
        if not result.checked:
            issues.append(
                Issue(
                    stage="audit-log",
                    path=str(target.root),
                    message="no kube-apiserver found: its audit settings were not checked",
                )
            )
    name = ", ".join(str(f) for f in target.files)
    return _report(Artifact(name=name, type=ArtifactType.CONFIG), findings, issues, options)


def _report(artifact: Artifact, findings: list[Finding], issues: list[Issue], options: ScanOptions) -> Report:
    kept, notes = filter_findings(findings, options.filters, options.today())
    return Report(artifact=artifact, findings=kept, issues=(*issues, *notes))
