"""`hullguard fs PATH`: scan a root filesystem or a project tree."""

from __future__ import annotations

import argparse
from pathlib import Path

from hullguard.cli.options import add_report_options, emit, scan_options
from hullguard.cli.progress import start_activity
from hullguard.errors import UsageError
from hullguard.pipeline import FsTarget, scan

NAME = "fs"
HELP = "scan a directory: an unpacked root filesystem or a project tree"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="directory to scan")
    add_report_options(parser, default_scanners="vuln,secret")


def run(args: argparse.Namespace) -> int:
    if not args.path.is_dir():
        raise UsageError(f"{args.path}: not a directory")
    options = scan_options(args)
    start_activity(args, f"scanning {args.path}")  # emit takes it off the screen
    return emit(scan(FsTarget(path=args.path), options), args)
