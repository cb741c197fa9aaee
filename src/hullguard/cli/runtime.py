"""`hullguard runtime watch|profile|rules check`: behavioural monitoring with Falco's rule language."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "runtime"
HELP = "watch kernel events with Falco rules, learn profiles, check rule files"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="runtime_command", metavar="SUBCOMMAND", required=True)
    rules = sub.add_parser("rules", help="check Falco rule files: what loads and what does not")
    rules.add_argument("action", choices=("check",))
    rules.add_argument("files", nargs="+", type=Path, metavar="FILE", help="rule files, merged in order")
    rules.add_argument("--format", "-f", choices=("table", "json"), default="table")
    rules.add_argument("--exit-code", type=int, default=0, help="exit with this code when a rule did not load")


def run(args: argparse.Namespace) -> int:
    match args.runtime_command:
        case "rules":
            return _rules_check(args)
    raise AssertionError(args.runtime_command)


def _rules_check(args: argparse.Namespace) -> int:
    from hullguard.runtime.rules import load_rules

    ruleset = load_rules(args.files)
    if args.format == "json":
        doc = {
            "loaded": [
                {"rule": r.name, "priority": r.priority.value, "enabled": r.enabled, "source": r.source,
                 "file": r.file, "line": r.line, "tags": list(r.tags)}
                for r in ruleset.rules
            ],
            "not_loaded": [
                {"kind": p.kind, "name": p.name, "file": p.file, "line": p.line, "reason": p.message}
                for p in ruleset.problems
            ],
        }
        json.dump(doc, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    else:
        enabled = sum(r.enabled for r in ruleset.rules)
        print(f"{len(ruleset.rules)} rules loaded ({enabled} enabled, {len(ruleset.rules) - enabled} disabled)")
        for r in ruleset.rules:
            print(f"  loaded   {r.name} [{r.priority.value}]{'' if r.enabled else ' (disabled)'}")
        for p in ruleset.problems:
            print(f"  skipped  {p}")
        print(f"{len(ruleset.problems)} not loaded")
    return args.exit_code if ruleset.problems else 0
