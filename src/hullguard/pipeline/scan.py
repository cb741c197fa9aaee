"""scan(target, options) -> Report: the one way a scan runs, for the CLI, the service and the
admission webhook alike. Re-entrant: every scan's state lives in its own call."""

from __future__ import annotations

from typing import assert_never

from hullguard.model import Report
from hullguard.pipeline.options import ScanOptions
from hullguard.pipeline.progress import CancelToken, Progress, Run
from hullguard.pipeline.targets import (
    AuditLogTarget,
    ClusterTarget,
    ConfigTarget,
    FsTarget,
    HostTarget,
    ImageTarget,
    RegistryTarget,
    SbomTarget,
    Target,
)


def scan(
    target: Target,
    options: ScanOptions | None = None,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> Report:
    """Scan `target`. `progress` hears each stage and layer (from this thread); `cancel`, set
    from any thread, stops the scan at its next step with `Cancelled`."""
    options = options or ScanOptions()
    run = Run(progress, cancel)
    run.step("start")
    match target:
        case ImageTarget():
            from hullguard.pipeline.image import scan_image

            report = scan_image(target, options, run)
        case FsTarget():
            from hullguard.pipeline.local import scan_fs

            report = scan_fs(target, options, run)
        case SbomTarget():
            from hullguard.pipeline.local import scan_sbom

            report = scan_sbom(target, options, run)
        case ConfigTarget():
            from hullguard.pipeline.local import scan_config_files

            report = scan_config_files(target, options, run)
        case RegistryTarget():
            from hullguard.pipeline.local import audit_registry

            report = audit_registry(target, options, run)
        case HostTarget():
            from hullguard.pipeline.host import scan_host_target

            report = scan_host_target(target, options, run)
        case AuditLogTarget():
            from hullguard.pipeline.host import scan_audit_logs

            report = scan_audit_logs(target, options, run)
        case ClusterTarget():
            from hullguard.pipeline.cluster import scan_cluster_target

            report = scan_cluster_target(target, options, run)
        case _:
            assert_never(target)
    run.step("done")
    return report
