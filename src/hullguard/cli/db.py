"""`hullguard db import|update|status`: fill and inspect the vulnerability database."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from hullguard.errors import UsageError
from hullguard.report.terminal import neutralise
from hullguard.vulndb.importer import ImportResult, import_locations
from hullguard.vulndb.status import read_status
from hullguard.vulndb.store import db_path
from hullguard.vulndb.update import configured_ecosystems, mirror, update

NAME = "db"
HELP = "import, update or inspect the vulnerability database (OSV)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="import OSV JSON/YAML files, folders, zips or URLs")
    imp.add_argument(
        "locations", nargs="+", help="file, folder, .zip (osv.dev all.zip layout) or https:// URL"
    )
    upd = sub.add_parser("update", help="download the configured ecosystems' OSV exports")
    upd.add_argument(
        "--ecosystems", help="comma-separated OSV ecosystems (else HULLGUARD_DB_ECOSYSTEMS or defaults)"
    )
    upd.add_argument(
        "--mirror", help="base URL serving <ecosystem>/all.zip (else HULLGUARD_OSV_MIRROR or osv.dev)"
    )
    st = sub.add_parser("status", help="sources, counts per ecosystem, newest record and its age")
    st.add_argument(
        "--max-age", type=int, default=7, help="warn when the newest record is older (days, default 7)"
    )
    for child in (imp, upd):
        child.add_argument(
            "--ca-cert", type=Path, help="PEM CA bundle to trust for HTTPS (else HULLGUARD_CA_CERT)"
        )
    for child in (imp, upd, st):
        child.add_argument(
            "--cache-dir", type=Path, help="where the database lives (else HULLGUARD_CACHE_DIR)"
        )
        child.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")


def run(args: argparse.Namespace) -> int:
    path = db_path(args.cache_dir)
    if args.db_command == "status":
        return _status(path, args)
    if args.db_command == "import":
        result = import_locations(path, args.locations, ca_file=_ca(args))
    else:
        ecosystems = configured_ecosystems(args.ecosystems)
        if not ecosystems:
            raise UsageError("--ecosystems: no ecosystem given")
        result = update(path, ecosystems, mirror(args.mirror), ca_file=_ca(args))
    _summary(result, path, args.quiet)
    return 0


def _ca(args: argparse.Namespace) -> str | None:
    if args.ca_cert is not None and not args.ca_cert.is_file():
        raise UsageError(f"--ca-cert {args.ca_cert}: no such file")
    return str(args.ca_cert) if args.ca_cert else None


def _summary(result: ImportResult, path: Path, quiet: bool) -> None:
    for problem in result.problems:
        sys.stderr.write(neutralise(f"hullguard: {problem.path}: {problem.message}") + "\n")
    if not quiet:
        sys.stderr.write(
            f"{path}: {result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
            f"{result.withdrawn} withdrawn, {len(result.problems)} skipped\n"
        )


def _status(path: Path, args: argparse.Namespace) -> int:
    status = read_status(path)
    out = sys.stdout
    out.write(f"database: {status.path}\n")
    out.write(f"advisories: {status.advisories} (withdrawn: {status.withdrawn})\n")
    for ecosystem, count in status.per_ecosystem:
        out.write(f"  {ecosystem}: {count}\n")
    out.write(f"newest modified: {status.newest_modified or 'none'}\n")
    if status.age is not None:
        out.write(f"age: {status.age.days} days\n")
    out.write("sources:\n")
    for source in status.sources:
        out.write(f"  {source.location} ({source.records} records, imported {source.imported_at})\n")
    if status.is_stale(timedelta(days=args.max_age)):
        sys.stderr.write(
            f"hullguard: warning: the newest advisory is older than {args.max_age} days; "
            "run `hullguard db update`\n"
        )
    return 0
