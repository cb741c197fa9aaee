"""Scanning a cluster: workload rules and PSS, RBAC, NetworkPolicy posture, the images it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from hullguard.errors import Error
from hullguard.model import Issue, Report
from hullguard.pipeline.filters import filter_findings
from hullguard.pipeline.options import ScanOptions
from hullguard.pipeline.progress import Run
from hullguard.pipeline.targets import ClusterTarget, ImageTarget


def scan_cluster_target(target: ClusterTarget, options: ScanOptions, run: Run) -> Report:
    from hullguard.cluster.posture.scan import scan_cluster
    from hullguard.cluster.source import open_cluster

    run.step("source", detail=str(target.path or target.kubeconfig))
    cluster = open_cluster(target.path, target.kubeconfig, target.context, None)
    images = None
    if "vuln" in options.scanners and not target.rbac_only:
        images = _image_scanner(options, run)
    run.step("cluster")
    report = scan_cluster(cluster, rbac_only=target.rbac_only, scan_images=images)
    kept, notes = filter_findings(report.findings, options.filters, options.today())
    return replace(report, findings=kept, issues=(*report.issues, *notes))


def _image_scanner(options: ScanOptions, run: Run) -> Callable[[tuple[str, ...]], dict[str, Any]]:
    """Each distinct image the workloads run, scanned once through the same pipeline."""
    from hullguard.pipeline.scan import scan

    vuln_only = replace(options, scanners=frozenset({"vuln"}))

    def scan_images(images: tuple[str, ...]) -> dict[str, Any]:
        results: dict[str, Any] = {}
        for image in images:
            run.step("image", detail=image)
            try:
                report = scan(ImageTarget(ref=image), vuln_only)
            except Error as e:
                results[image] = ((), (Issue(stage="image", path=image, message=e.diagnostics()),))
                continue
            results[image] = (report.findings, report.issues)
        return results

    return scan_images
