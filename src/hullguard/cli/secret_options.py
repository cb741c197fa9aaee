"""Secret-scan flags shared by the scanning commands: the file size limit and `--verify`."""

from __future__ import annotations

import argparse
import re

from hullguard.secrets.options import MAX_FILE_BYTES

UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def byte_size(text: str) -> int:
    """`52428800`, `50M`, `1g`: a size in bytes (argparse type; a bad value is a usage error)."""
    m = re.fullmatch(r"\s*(\d+)\s*([kmgKMG]?)(?:i?[bB])?\s*", text)
    if m is None or int(m.group(1)) == 0:
        raise argparse.ArgumentTypeError(
            f"expected a positive size in bytes, like 52428800 or 50M, not {text!r}"
        )
    return int(m.group(1)) * UNITS[m.group(2).lower()]


def add_secret_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--secret-max-file-size",
        type=byte_size,
        metavar="BYTES",
        help=f"scan files up to this size for secrets (default {MAX_FILE_BYTES >> 20}M); larger ones are named in the report",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="check found credentials with their provider's identity call (AWS STS, GitHub, Slack, ...); "
        "off by default: without it no credential leaves this machine",
    )
