"""Trivy users' spellings: `image --input FILE` for the target (`rootfs DIR` is cli/rootfs.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from hullguard.errors import UsageError


def add_input_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input",
        "-i",
        type=Path,
        metavar="FILE",
        help="the image archive to scan (Trivy's spelling of TARGET)",
    )


def take_input(args: argparse.Namespace) -> None:
    """TARGET from --input FILE; exactly one of the two must be given."""
    if args.input is not None and args.target is not None:
        raise UsageError(f"give the image once: TARGET {args.target!r} or --input {args.input}, not both")
    if args.input is not None:
        if not args.input.exists():
            raise UsageError(f"--input {args.input}: no such file or directory")
        args.target = str(args.input)
    if args.target is None:
        raise UsageError("give the image to scan: TARGET (reference, archive, layout) or --input FILE")
