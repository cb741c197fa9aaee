"""The filter options (ignore file, VEX) and --base-image, parsed here so bad input is a usage
error (exit 2) before any scanning starts."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from hullguard.model import Severity
from hullguard.pipeline import Filters
from hullguard.trivyignore import DEFAULT_NAME

if TYPE_CHECKING:
    from hullguard.matchers.vex import VexStatement


def add_vuln_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ignorefile",
        type=Path,
        help="findings to ignore: YAML (id, package, path, reason, expires) or a plain-text "
        ".trivyignore (default: ./.trivyignore when present)",
    )
    parser.add_argument(
        "--vex", type=Path, action="append", default=[], help="OpenVEX or CycloneDX VEX document (repeatable)"
    )
    parser.add_argument(
        "--base-image", help="the base image (ref or archive), to mark findings from its layers"
    )


def default_ignorefile() -> Path | None:
    """Trivy reads ./.trivyignore when no ignore file is named; so do we."""
    path = Path(DEFAULT_NAME)
    return path if path.is_file() else None


def filters_from(args: argparse.Namespace, severities: frozenset[Severity] | None) -> Filters:
    ignorefile = getattr(args, "ignorefile", None) or default_ignorefile()
    if ignorefile:
        from hullguard.ignorefile import load_ignorefile

        rules = load_ignorefile(ignorefile)
    else:
        rules = ()
    vex_files = getattr(args, "vex", None) or ()
    statements: tuple[VexStatement, ...] = ()
    if vex_files:
        from hullguard.matchers.vex import load_vex  # the vuln scanner's modules: only when asked for

        statements = tuple(s for path in vex_files for s in load_vex(path))
    return Filters(
        severities=severities,
        ignore_unfixed=getattr(args, "ignore_unfixed", False),
        ignore_rules=rules,
        vex=statements,
    )
