"""`hullguard clean`: remove the scan caches (layer analyses, secret results) from the cache dir."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hullguard.cache import SCAN_CACHES, clean_scan_caches, default_cache_dir
from hullguard.errors import UsageError

NAME = "clean"
HELP = "remove cached scan results (the vulnerability database stays)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache",
        action="store_true",
        help=f"remove the scan caches ({', '.join(SCAN_CACHES)}); the default and only action for now",
    )
    parser.add_argument("--cache-dir", type=Path, help="the cache root (else HULLGUARD_CACHE_DIR)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")


def run(args: argparse.Namespace) -> int:
    root = args.cache_dir or default_cache_dir()
    try:
        removed = clean_scan_caches(root)
    except OSError as e:
        raise UsageError(f"{root}: could not remove the scan caches: {e}") from e
    if not args.quiet:
        n = len(removed)
        print(f"removed {n} cache folder{'' if n == 1 else 's'} under {root}", file=sys.stderr)
    return 0
