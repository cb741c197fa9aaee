"""`hullguard host`: CIS Docker and Kubernetes benchmarks, host hardening, running containers."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hullguard.cli.options import emit
from hullguard.errors import UsageError
from hullguard.model import Artifact, ArtifactType, Finding, Issue, Report, Severity
from hullguard.pipeline import ScanOptions, filter_findings
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


def finish(args: argparse.Namespace, artifact: Artifact, findings: list[Finding], issues: list[Issue]) -> int:
    """Apply the shared filters and write the report; returns the exit code."""
    if args.format not in formats():
        raise UsageError(f"--format {args.format!r}: expected one of {', '.join(formats())}")
    severities = None
    if args.severity:
        try:
            severities = frozenset(Severity.parse(s) for s in args.severity.split(",") if s.strip())
        except ValueError as e:
            raise UsageError(f"--severity: {e}") from e
    extra: tuple[tuple[str, object], ...] = ()
    if args.ignorefile:
        from hullguard.ignorefile import load_ignorefile

        extra = (("ignore_rules", load_ignorefile(args.ignorefile)),)
    kept, notes = filter_findings(findings, ScanOptions(severities=severities, extra=extra))
    return emit(Report(artifact=artifact, findings=kept, issues=(*issues, *notes)), args)


def list_manual(benchmark: str) -> int:
    from hullguard.host.catalogue import controls
    from hullguard.host.scan import SELECTIONS

    for b in SELECTIONS[benchmark]:
        for c in controls(b):
            if c.manual:
                sys.stdout.write(f"{c.id:<16} {c.title}\n{'':<16} {c.manual}\n")
    return 0


def run(args: argparse.Namespace) -> int:
    from hullguard.host.scan import HostOptions, scan_host

    if args.manual:
        return list_manual(args.benchmark)
    if not args.root.is_dir():
        raise UsageError(f"--root {args.root}: not a directory")
    if args.no_host and not args.containers:
        raise UsageError("--no-host needs --containers")
    findings: list[Finding] = []
    issues: list[Issue] = []
    if not args.no_host:
        result = scan_host(HostOptions(root=args.root.resolve(), benchmark=args.benchmark))
        findings.extend(result.findings)
        issues.extend(result.issues)
    if args.containers:
        from hullguard.host.containers.scan import scan_containers

        found, problems = scan_containers(os.environ.get("DOCKER_HOST"))
        findings.extend(found)
        issues.extend(problems)
    name = "host" if args.root == Path("/") else f"host:{args.root}"
    return finish(args, Artifact(name=name, type=ArtifactType.FILESYSTEM), findings, issues)
