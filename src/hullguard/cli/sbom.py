"""`hullguard sbom FILE`: vulnerabilities of the packages a CycloneDX or SPDX JSON SBOM lists."""

from __future__ import annotations

import argparse
from pathlib import Path

from hullguard.cli.options import add_report_options, emit, scan_options
from hullguard.cli.progress import start_activity
from hullguard.errors import UsageError
from hullguard.pipeline import SbomTarget, scan

NAME = "sbom"
HELP = "scan a CycloneDX or SPDX JSON SBOM (e.g. from Trivy or Syft) for vulnerabilities"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="CycloneDX JSON or SPDX JSON file")
    add_report_options(parser, default_scanners="vuln")


def run(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise UsageError(f"{args.file}: no such file")
    options = scan_options(args)
    start_activity(args, f"scanning {args.file}")  # emit takes it off the screen
    return emit(scan(SbomTarget(path=args.file), options), args)
