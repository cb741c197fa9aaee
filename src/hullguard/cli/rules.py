"""`hullguard rules list`: every rule's metadata, as a table, JSON or Markdown (the docs)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from hullguard.rules import listed_rules
from hullguard.rules.base import RuleMeta, Target

NAME = "rules"
HELP = "list the misconfiguration rules and their metadata"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("list",), help="list: print every rule")
    parser.add_argument("--format", "-f", choices=("table", "json", "markdown"), default="table")
    parser.add_argument(
        "--target", choices=tuple(t.value for t in Target), help="only the rules for this target"
    )


def all_metas() -> tuple[RuleMeta, ...]:
    """Every rule: the config and cluster rules, then the host and audit-log controls (host catalogues)."""
    from hullguard.host.catalogue import rule_metas

    return (*(r.meta for r in listed_rules()), *rule_metas())


def as_dict(m: RuleMeta) -> dict[str, object]:
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
                ("docker-bench", m.peers.docker_bench),
                ("kube-bench", m.peers.kube_bench),
            )
            if v
        },
        **({"pss": {"level": m.pss[0], "control": m.pss[1]}} if m.pss else {}),
        **_host_details(m),
    }


def _host_details(m: RuleMeta) -> dict[str, object]:
    """Host controls also say their benchmark section, level, automated or manual, and what they read."""
    if m.target not in (Target.HOST, Target.AUDIT_LOG):
        return {}
    from hullguard.host.catalogue import control

    c = control(m.id)
    return {
        "benchmark": {
            "name": c.benchmark.value,
            "section": c.section,
            "level": c.level,
            "automated": c.automated,
            "reads": list(c.reads),
            **({"manual": c.manual} if c.manual else {}),
        }
    }


def write_markdown(rules: tuple[RuleMeta, ...], out: TextIO) -> None:
    out.write("# hullguard rules\n\n")
    for target in dict.fromkeys(r.target for r in rules):
        if target in (Target.HOST, Target.AUDIT_LOG):
            out.write(f"## {target.value}\n\n| id | severity | title | docker-bench | kube-bench |\n|---|---|---|---|---|\n")
            for r in (r for r in rules if r.target is target):
                p = r.peers
                out.write(f"| {r.id} | {r.severity.name} | {r.title} | {p.docker_bench or ''} | {p.kube_bench or ''} |\n")
            out.write("\n")
            continue
        out.write(
            f"## {target.value}\n\n| id | severity | title | hadolint | Trivy | Checkov |\n|---|---|---|---|---|---|\n"
        )
        for r in (r for r in rules if r.target is target):
            p = r.peers
            out.write(
                f"| {r.id} | {r.severity.name} | {r.title} | {p.hadolint or ''} | {p.trivy or ''} | {p.checkov or ''} |\n"
            )
        out.write("\n")
    for r in rules:
        out.write(f"### {r.id}: {r.title}\n\n{r.rationale}\n\n**Fix:** {r.remediation}\n\n")
        out.write("".join(f"- <{ref}>\n" for ref in r.references) + "\n")


def run(args: argparse.Namespace) -> int:
    rules = tuple(r for r in all_metas() if args.target in (None, r.target.value))
    out = sys.stdout
    if args.format == "json":
        json.dump([as_dict(r) for r in rules], out, indent=2, sort_keys=True)
        out.write("\n")
    elif args.format == "markdown":
        write_markdown(rules, out)
    else:
        for r in rules:
            out.write(f"{r.id:<12} {r.severity.name:<9} {r.target.value:<11} {r.title}\n")
    return 0
