"""`hullguard audit-log FILE...`: Kubernetes audit events against the audit rules, and the API
server's audit configuration (CIS 1.2.16-1.2.19, 3.2.1) from its static pod manifest."""

from __future__ import annotations

import argparse
import ipaddress
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from hullguard.cli.host import add_output_options, finish
from hullguard.errors import UsageError
from hullguard.model import Artifact, ArtifactType, Finding, Issue

if TYPE_CHECKING:
    from hullguard.host.auditlog.event import AuditEvent

NAME = "audit-log"
HELP = "check Kubernetes audit logs (JSON lines) for risky activity, and the API server's audit settings"
AUDIT_CONTROLS = frozenset(f"HG-KUBE-{c}" for c in ("1.2.16", "1.2.17", "1.2.18", "1.2.19", "3.2.1"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="+", type=Path, help="audit log files (audit.k8s.io/v1 Events, one per line)"
    )
    parser.add_argument(
        "--root",
        type=Path,
        help="also check the API server's audit flags and policy in this host tree (e.g. /)",
    )
    parser.add_argument(
        "--cluster-cidr",
        action="append",
        default=[],
        help="a network the cluster's pods and nodes use (repeatable; default: the private ranges)",
    )
    add_output_options(parser)


def run(args: argparse.Namespace) -> int:
    from hullguard.host.auditlog.event import BadLine, read_log
    from hullguard.host.auditlog.rules import evaluate
    from hullguard.host.scan import HostOptions, scan_host

    for cidr in args.cluster_cidr:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError as e:
            raise UsageError(f"--cluster-cidr {cidr!r}: {e}") from e
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    findings: list[Finding] = []
    issues: list[Issue] = []

    def events() -> Iterator[AuditEvent]:
        for path in args.files:
            try:
                for item in read_log(path):
                    if isinstance(item, BadLine):
                        where = f"{item.path}:{item.line}" if item.line else item.path
                        issues.append(Issue(stage="audit-log", path=where, message=item.message))
                    else:
                        yield item
            except OSError as e:
                issues.append(
                    Issue(stage="audit-log", path=str(path), message=f"cannot read: {e.strerror or e}")
                )

    findings.extend(evaluate(events(), tuple(args.cluster_cidr)))
    if args.root is not None:
        if not args.root.is_dir():
            raise UsageError(f"--root {args.root}: not a directory")
        result = scan_host(
            HostOptions(root=args.root.resolve(), benchmark="cis-kubernetes-node", only=AUDIT_CONTROLS)
        )
        findings.extend(result.findings)
        issues.extend(result.issues)
        if not result.checked:
            issues.append(
                Issue(
                    stage="audit-log",
                    path=str(args.root),
                    message="no kube-apiserver found: its audit settings were not checked",
                )
            )
    name = ", ".join(str(f) for f in args.files)
    return finish(args, Artifact(name=name, type=ArtifactType.CONFIG), findings, issues)
