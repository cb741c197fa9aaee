"""scan(target, options) -> Report: the one orchestrator, called by cli, server and admission.

    from hullguard.pipeline import ImageTarget, ScanOptions, scan
    report = scan(ImageTarget(ref="alpine:3.19"), ScanOptions(scanners=frozenset({"vuln"})))

Stages never import this package; it imports them.
"""

from __future__ import annotations

from hullguard.pipeline.filters import filter_findings
from hullguard.pipeline.options import ALL_SCANNERS, Clock, Filters, ScannerName, ScanOptions, system_clock
from hullguard.pipeline.progress import Cancelled, CancelToken, Progress, ProgressEvent
from hullguard.pipeline.scan import scan
from hullguard.pipeline.signature import AttestPolicy, attest_report
from hullguard.pipeline.targets import (
    AuditLogTarget,
    ClusterTarget,
    ConfigTarget,
    FsTarget,
    HostTarget,
    ImageTarget,
    RegistryTarget,
    SbomTarget,
    SignaturePolicy,
    Target,
)

__all__ = [
    "ALL_SCANNERS",
    "AttestPolicy",
    "AuditLogTarget",
    "CancelToken",
    "Cancelled",
    "Clock",
    "ClusterTarget",
    "ConfigTarget",
    "Filters",
    "FsTarget",
    "HostTarget",
    "ImageTarget",
    "Progress",
    "ProgressEvent",
    "RegistryTarget",
    "SbomTarget",
    "ScanOptions",
    "ScannerName",
    "SignaturePolicy",
    "Target",
    "attest_report",
    "filter_findings",
    "scan",
    "system_clock",
]
