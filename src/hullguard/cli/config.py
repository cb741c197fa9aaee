"""`hullguard config PATH`: misconfigurations in Dockerfiles, Kubernetes manifests and Compose files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hullguard.cli.options import add_report_options, emit, scan_options
from hullguard.cli.outcome import config_exit_code
from hullguard.cli.progress import start_activity
from hullguard.errors import UsageError
from hullguard.pipeline import ConfigTarget, scan
from hullguard.report.terminal import neutralise
from hullguard.rules.engine import ConfigOptions
from hullguard.rules.kubernetes import pss
from hullguard.rules.policy import Policy, load_policies

NAME = "config"
HELP = "scan Dockerfiles, Kubernetes YAML/JSON and Compose files for misconfigurations"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", type=Path, nargs="+", metavar="PATH", help="files or folders (searched recursively); one report"
    )
    add_report_options(parser, default_scanners="config")
    parser.add_argument(
        "--pss",
        choices=(pss.BASELINE, pss.RESTRICTED),
        help="check Pod Security Standards at this level (default restricted); the other rules still run",
    )
    parser.add_argument("--only-pss", action="store_true", help="run the Pod Security Standards checks alone")
    parser.add_argument(
        "--skip-unparseable",
        action="store_true",
        help="files that cannot be parsed are issues only, not a failure under --exit-code",
    )
    parser.add_argument(
        "--pss-version",
        default="latest",
        help=f"policy version v1.N (default: latest = v1.{pss.NEWEST_MINOR})",
    )
    parser.add_argument(
        "--dockerfile-pattern",
        action="append",
        default=[],
        metavar="GLOB",
        help="also treat files named GLOB as Dockerfiles",
    )
    parser.add_argument(
        "--policy", action="append", type=Path, default=[], help="CEL policy file or folder (repeatable)"
    )
    parser.add_argument(
        "--fix", action="store_true", help="harden Kubernetes manifests and pin Dockerfile FROM lines to digests, in place (a .orig backup is kept)"
    )


def run(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        raise UsageError(f"{missing[0]}: no such file or folder")
    args.path = args.paths[0]
    try:
        version = pss.parse_version(args.pss_version)
    except ValueError as e:
        raise UsageError(f"--pss-version: {e}") from e
    policies: tuple[Policy, ...] = ()
    if args.policy:
        policies = tuple(p for path in args.policy for p in load_policies(path))
    config = ConfigOptions(
        pss_level=args.pss,
        only_pss=args.only_pss,
        pss_version=version,
        dockerfile_patterns=tuple(args.dockerfile_pattern),
        policies=policies,
    )
    options = scan_options(args, config=config)
    if args.fix:
        import ruamel.yaml  # noqa: F401  the `fix` extra: refuse before anything is rewritten

        from hullguard.registry import RegistryOptions
        from hullguard.registry.resolve import digest_resolver
        from hullguard.rules.fix import fix_tree

        resolve = digest_resolver(RegistryOptions())
        for line in (line for path in args.paths for line in fix_tree(path, resolve)):
            if not args.quiet:
                sys.stderr.write(f"hullguard: {neutralise(line)}\n")
    start_activity(args, f"checking {args.path}")  # emit takes it off the screen
    report = scan(ConfigTarget(path=args.paths[0], more=tuple(args.paths[1:])), options)
    return config_exit_code(report, args, emit(report, args))
