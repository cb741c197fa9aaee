"""`hullguard secret baseline TARGET`: record today's secrets (hashed) so CI fails only on new ones.
`hullguard secret rules`: list the secret rules in force (built-in, or with --secret-config)."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from hullguard.cli.progress import note
from hullguard.model import Secret
from hullguard.pipeline import FsTarget, ImageTarget, ScanOptions, scan
from hullguard.secrets.options import SecretOptions
from hullguard.secrets.settings import baseline_doc, load_settings

NAME = "secret"
HELP = "secret tools: `baseline` (hashed fingerprints of today's secrets), `rules` (list the rules)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    baseline = actions.add_parser("baseline", help="write a baseline of known secrets (hashes only)")
    baseline.add_argument("target", help="a directory (scanned like `fs`) or an image (like `image`)")
    baseline.add_argument("--output", "-o", type=Path, help="baseline file to write (default: stdout)")
    baseline.add_argument(
        "--secret-config", type=Path, help="YAML: secret rules to add or disable, allowlists"
    )
    rules = actions.add_parser("rules", help="list the secret rules: id, family, severity, title, keywords")
    rules.add_argument("--format", "-f", choices=("table", "json"), default="table")
    rules.add_argument("--secret-config", type=Path, help="YAML: secret rules to add or disable, allowlists")


def run(args: argparse.Namespace) -> int:
    if args.action == "rules":
        return list_rules(args)
    options = ScanOptions(scanners=frozenset({"secret"}), secret=SecretOptions(config=args.secret_config))
    path = Path(args.target)
    report = scan(FsTarget(path=path) if path.is_dir() else ImageTarget(ref=args.target), options)
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
        n = len(doc["secrets"])
        note(args, f"hullguard: {n} known secret{'' if n == 1 else 's'} written to {args.output}")
    return 0


def list_rules(args: argparse.Namespace) -> int:
    rules = load_settings(args.secret_config).ruleset.rules
    rows = [
        {
            "id": r.id,
            "family": r.family,
            "severity": r.severity.name,
            "title": r.title,
            "keywords": [k.decode() for k in r.keywords],
            "entropy": r.entropy,
        }
        for r in rules
    ]
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} secret rules")
    for column in ("ID", "Family", "Severity", "Title"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row["id"]), str(row["family"]), str(row["severity"]), str(row["title"]))
    Console(file=sys.stdout, width=160 if not sys.stdout.isatty() else None).print(table)
    return 0
