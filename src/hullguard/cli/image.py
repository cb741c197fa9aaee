"""`hullguard image TARGET`: scan a container image."""

from __future__ import annotations

import argparse

from hullguard.cli.aliases import add_input_argument, take_input
from hullguard.cli.image_signing import add_signature_policy_arguments, emit_report, plan_image_scan
from hullguard.cli.options import add_report_options, add_source_options, progress, scan_options
from hullguard.pipeline import scan

NAME = "image"
HELP = "scan a container image: registry ref, docker-archive, OCI layout, docker-daemon:NAME"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target", nargs="?", help="image reference, archive or layout path, or docker-daemon:NAME"
    )
    add_input_argument(parser)  # Trivy's `--input FILE` for the target
    add_report_options(parser, default_scanners="vuln,secret")
    add_source_options(parser)
    add_signature_policy_arguments(parser)


def run(args: argparse.Namespace) -> int:
    take_input(args)
    options = scan_options(args)
    plan = plan_image_scan(args)
    report = scan(plan.target, options, progress=progress(args))
    return emit_report(plan, report, options, args)
