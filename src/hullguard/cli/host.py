"""`hullguard host`: CIS Docker and Kubernetes benchmarks, host hardening, running containers."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hullguard.cli.options import emit, parse_severities
from hullguard.errors import UsageError
from hullguard.pipeline import AuditLogTarget, Filters, HostTarget, ScanOptions, scan
from hullguard.report import formats

NAME = "host"
HELP = "check this host (or --root DIR) against CIS Docker/Kubernetes and hardening rules"
BENCHMARKS = ("all", "cis-docker", "cis-kubernetes-node", "host-hardening")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=Path("/"), help="read the host from this tree (default /)"
    )
    parser.add_argument("--benchmark", "-b", choices=BENCHMARKS, default="all", help="which controls to run")
    parser.add_argument(
        "--containers",
        action="store_true",
        help="also check running containers through the Docker API ($DOCKER_HOST) (CIS Docker 5)",
    )
    parser.add_argument(
        "--no-host", action="store_true", help="with --containers: skip the host file and daemon checks"
    )
    parser.add_argument(
        "--manual", action="store_true", help="list the selected benchmark's manual controls and what to check by hand"
    )
    add_output_options(parser)


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """--format, --output, --severity, --ignorefile, --exit-code, as every scanning command has."""
    parser.add_argument("--format", "-f", default="table", help=f"one of {', '.join(formats())}")
    parser.add_argument("--output", "-o", type=Path, help="write the report to FILE instead of stdout")
    parser.add_argument("--severity", "-s", help="only these severities, e.g. HIGH,CRITICAL")
    parser.add_argument(
        "--ignorefile", type=Path, help="YAML of findings to ignore (id, path, reason, expires)"
    )
    parser.add_argument("--exit-code", type=int, default=0, help="exit with this code when findings remain")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress output (there is none yet)")


def finish(args: argparse.Namespace, target: HostTarget | AuditLogTarget) -> int:
    """Scan with the shared filters and write the report; returns the exit code."""
    if args.format not in formats():
        raise UsageError(f"--format {args.format!r}: expected one of {', '.join(formats())}")
    from hullguard.ignorefile import load_ignorefile

    rules = load_ignorefile(args.ignorefile) if args.ignorefile else ()
    filters = Filters(severities=parse_severities(args.severity), ignore_rules=rules)
    return emit(scan(target, ScanOptions(scanners=frozenset(), filters=filters)), args)


def list_manual(benchmark: str) -> int:
    from hullguard.host.catalogue import controls
    from hullguard.host.scan import SELECTIONS

    for b in SELECTIONS[benchmark]:
        for c in controls(b):
            if c.manual:
                sys.stdout.write(f"{c.id:<16} {c.title}\n{'':<16} {c.manual}\n")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.manual:
        return list_manual(args.benchmark)
    if not args.root.is_dir():
        raise UsageError(f"--root {args.root}: not a directory")
    if args.no_host and not args.containers:
        raise UsageError("--no-host needs --containers")
    target = HostTarget(
        root=args.root,
        benchmark=args.benchmark,
        host=not args.no_host,
        containers=args.containers,
        docker_host=os.environ.get("DOCKER_HOST"),
    )
    return finish(args, target)
