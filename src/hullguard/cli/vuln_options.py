"""Options of the vuln scanner (ignore file, VEX, base image), parsed here so bad input is a
usage error (exit 2) before any scanning starts."""

from __future__ import annotations

import argparse
from pathlib import Path

from hullguard.ignorefile import load_ignorefile


def add_vuln_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ignorefile", type=Path, help="YAML of findings to ignore (id, package, path, reason, expires)"
    )
    parser.add_argument(
        "--vex", type=Path, action="append", default=[], help="OpenVEX or CycloneDX VEX document (repeatable)"
    )
    parser.add_argument(
        "--base-image", help="the base image (ref or archive), to mark findings from its layers"
    )


def vuln_extra(args: argparse.Namespace) -> tuple[tuple[str, object], ...]:
    extra: list[tuple[str, object]] = []
    if getattr(args, "ignorefile", None):
        extra.append(("ignore_rules", load_ignorefile(args.ignorefile)))
    vex_files = getattr(args, "vex", None) or ()
    if vex_files:
        from hullguard.matchers.vex import load_vex  # the vuln scanner's modules: only when asked for

        statements = tuple(s for path in vex_files for s in load_vex(path))
        if statements:
            extra.append(("vex_statements", statements))
    if getattr(args, "base_image", None):
        extra.append(("base_image", args.base_image))
    return tuple(extra)

