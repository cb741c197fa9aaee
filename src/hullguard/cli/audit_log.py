"""`hullguard audit-log FILE...`: Kubernetes audit events against the audit rules, and the API
server's audit configuration (CIS 1.2.16-1.2.19, 3.2.1) from its static pod manifest."""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path

from hullguard.cli.host import add_output_options, finish
from hullguard.errors import UsageError
from hullguard.pipeline import AuditLogTarget

NAME = "audit-log"
HELP = "check Kubernetes audit logs (JSON lines) for risky activity, and the API server's audit settings"


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
    parser.add_argument(
        "--rules",
        "-r",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="also evaluate Falco k8saudit rule files (repeatable), with the runtime monitor's engine",
    )
    add_output_options(parser)


def run(args: argparse.Namespace) -> int:
    for cidr in args.cluster_cidr:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError as e:
            raise UsageError(f"--cluster-cidr {cidr!r}: {e}") from e
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    if args.root is not None and not args.root.is_dir():
        raise UsageError(f"--root {args.root}: not a directory")
    missing = [str(f) for f in args.rules if not f.is_file()]
    if missing:
        raise UsageError(f"--rules: no such file: {', '.join(missing)}")
    target = AuditLogTarget(
        files=tuple(args.files),
        root=args.root,
        cluster_cidrs=tuple(args.cluster_cidr),
        falco_rules=tuple(args.rules),
    )
    return finish(args, target)
