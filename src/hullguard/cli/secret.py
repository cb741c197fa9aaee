"""`hullguard secret baseline TARGET`: record today's secrets (hashed) so CI fails only on new ones."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from hullguard.model import Secret
from hullguard.pipeline import ScanOptions, scan_fs, scan_image
from hullguard.secrets.settings import baseline_doc

NAME = "secret"
HELP = "secret tools: `baseline` writes the hashed fingerprints of the secrets a target holds now"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    baseline = actions.add_parser("baseline", help="write a baseline of known secrets (hashes only)")
    baseline.add_argument("target", help="a directory (scanned like `fs`) or an image (like `image`)")
    baseline.add_argument("--output", "-o", type=Path, help="baseline file to write (default: stdout)")
    baseline.add_argument(
        "--secret-config", type=Path, help="YAML: secret rules to add or disable, allowlists"
    )


def run(args: argparse.Namespace) -> int:
    options = ScanOptions(
        scanners=frozenset({"secret"}),
        list_packages=False,
        extra=(("secret_config", args.secret_config),),
    )
    target = Path(args.target)
    report = scan_fs(target, options) if target.is_dir() else scan_image(args.target, options)
    doc = baseline_doc(
        (f.id, f.fingerprint, f.location.path)
        for f in report.findings
        if isinstance(f, Secret) and f.fingerprint is not None
    )
    out: Any = args.output.open("w", encoding="utf-8") if args.output else nullcontext(sys.stdout)
    with out as stream:
        json.dump(doc, stream, indent=2, sort_keys=True)
        stream.write("\n")
    if args.output:
        sys.stderr.write(f"hullguard: {len(doc['secrets'])} known secret(s) written to {args.output}\n")
    return 0
