"""`hullguard rules list`: every rule's metadata, as a table, JSON or Markdown (the docs)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from hullguard.rules import listed_rules
from hullguard.rules.base import Rule

NAME = "rules"
HELP = "list the misconfiguration rules and their metadata"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("list",), help="list: print every rule")
    parser.add_argument("--format", "-f", choices=("table", "json", "markdown"), default="table")
    parser.add_argument("--target", help="only rules for dockerfile, image, kubernetes, compose or cluster")


def as_dict(rule: Rule) -> dict[str, object]:
    m = rule.meta
    return {
        "id": m.id,
        "target": m.target.value,
        "title": m.title,
        "severity": m.severity.name,
        "rationale": m.rationale,
        "remediation": m.remediation,
        "references": list(m.references),
        "peers": {
            k: v
            for k, v in (
                ("hadolint", m.peers.hadolint),
                ("trivy", m.peers.trivy),
                ("checkov", m.peers.checkov),
            )
            if v
        },
        **({"pss": {"level": m.pss[0], "control": m.pss[1]}} if m.pss else {}),
    }


def write_markdown(rules: tuple[Rule, ...], out: TextIO) -> None:
    out.write("# hullguard rules\n\n")
    for target in dict.fromkeys(r.meta.target for r in rules):
        out.write(
            f"## {target.value}\n\n| id | severity | title | hadolint | Trivy | Checkov |\n|---|---|---|---|---|---|\n"
        )
        for r in (r for r in rules if r.meta.target is target):
            p = r.meta.peers
            out.write(
                f"| {r.meta.id} | {r.meta.severity.name} | {r.meta.title} | {p.hadolint or ''} | {p.trivy or ''} | {p.checkov or ''} |\n"
            )
        out.write("\n")
    for r in rules:
        out.write(
            f"### {r.meta.id}: {r.meta.title}\n\n{r.meta.rationale}\n\n**Fix:** {r.meta.remediation}\n\n"
        )
        out.write("".join(f"- <{ref}>\n" for ref in r.meta.references) + "\n")


def run(args: argparse.Namespace) -> int:
    rules = tuple(r for r in listed_rules() if args.target in (None, r.meta.target.value))
    out = sys.stdout
    if args.format == "json":
        json.dump([as_dict(r) for r in rules], out, indent=2, sort_keys=True)
        out.write("\n")
    elif args.format == "markdown":
        write_markdown(rules, out)
    else:
        for r in rules:
            out.write(f"{r.meta.id:<12} {r.meta.severity.name:<9} {r.meta.target.value:<11} {r.meta.title}\n")
    return 0
