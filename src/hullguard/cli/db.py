"""`hullguard db import|update|status`: fill and inspect the vulnerability database."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from hullguard.cli.progress import activity
from hullguard.cli.registry_args import add_registry_arguments, registry_options
from hullguard.errors import UsageError
from hullguard.report.terminal import neutralise
from hullguard.vulndb.importer import ImportResult, import_locations
from hullguard.vulndb.status import read_status
from hullguard.vulndb.store import db_path
from hullguard.vulndb.update import configured_ecosystems, mirror, update

NAME = "db"
HELP = "import, update, publish or inspect the vulnerability database (OSV)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="import OSV JSON/YAML files, folders, zips or URLs")
    imp.add_argument(
        "locations", nargs="+", help="file, folder, .zip (osv.dev all.zip layout) or https:// URL"
    )
    upd = sub.add_parser(
        "update", help="download the configured ecosystems' OSV exports, or a mirror's database (--from)"
    )
    upd.add_argument(
        "--from",
        dest="source",
        metavar="REGISTRY/REPO:TAG",
        help="pull the database `db push` published there instead of reaching osv.dev",
    )
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
    push = sub.add_parser("push", help="publish the database as an OCI artifact, for air-gapped mirrors")
    push.add_argument("target", metavar="REGISTRY/REPO:TAG", help="where to publish it")
    for child in (imp, upd):
        child.add_argument(
            "--ca-cert",
            type=Path,
            help="PEM CA bundle to trust for HTTPS, and for the registry of --from (else HULLGUARD_CA_CERT)",
        )
    add_registry_arguments(upd, ca_cert=False)
    add_registry_arguments(push)
    for child in (imp, upd, st, push):
        child.add_argument(
            "--cache-dir", type=Path, help="where the database lives (else HULLGUARD_CACHE_DIR)"
        )
        child.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")


def run(args: argparse.Namespace) -> int:
    path = db_path(args.cache_dir)
    if args.db_command == "status":
        return _status(path, args)
    if args.db_command == "push":
        return _push(path, args)
    if args.db_command == "update" and args.source:
        return _pull(path, args)
    if args.db_command == "import":
        with activity(args, "importing advisories") as shown:
            result = import_locations(path, args.locations, ca_file=_ca(args), on_progress=_counter(shown))
    else:
        ecosystems = configured_ecosystems(args.ecosystems)
        if not ecosystems:
            raise UsageError("--ecosystems: no ecosystem given")
        with activity(args, "updating the database") as shown:
            result = update(path, ecosystems, mirror(args.mirror), _ca(args), on_progress=_counter(shown))
    _summary(result, path, args.quiet)
    return 0


def _push(path: Path, args: argparse.Namespace) -> int:
    from hullguard.vulndb.artifact import push

    with activity(args, f"pushing the database to {args.target}"):
        published = push(path, args.target, registry_options(args))
    if not args.quiet:
        sys.stderr.write(
            f"{path}: published as {published.reference}@{published.digest} "
            f"({published.size >> 10} KiB compressed, created {published.created})\n"
        )
    return 0


def _pull(path: Path, args: argparse.Namespace) -> int:
    from hullguard.vulndb.artifact import pull

    if args.ecosystems or args.mirror:
        raise UsageError("--from pulls a whole database: --ecosystems and --mirror do not apply")
    with activity(args, f"pulling the database from {args.source}"):
        pulled = pull(path, args.source, registry_options(args))
    if not args.quiet:
        sys.stderr.write(f"{path}: replaced by {pulled.reference} (created {pulled.created or 'unknown'})\n")
    return 0


def _counter(shown: Any) -> Callable[[str, int], None]:
    return lambda location, read: shown.update(f"{read} records ({location})")


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
    if status.origin:
        out.write(f"origin: pulled from {status.origin}\n")
    else:
        n = len(status.sources)
        out.write(f"origin: imported here from {n} source{'' if n == 1 else 's'}, listed below\n")
    if status.built:
        ago = f", {_days(status.built_age)}" if status.built_age is not None else ""
        out.write(f"built: {status.built}{ago}\n")
    out.write(f"advisories: {status.advisories} (withdrawn: {status.withdrawn})\n")
    for ecosystem, count in status.per_ecosystem:
        out.write(f"  {ecosystem}: {count}\n")
    out.write(f"newest modified: {status.newest_modified or 'none'}\n")
    if status.age is not None:
        out.write(f"age: newest advisory modified {_days(status.age)}\n")
    out.write("sources:\n")
    for source in status.sources:
        out.write(f"  {source.location} ({source.records} records, imported {source.imported_at})\n")
    if status.is_stale(timedelta(days=args.max_age)):
        sys.stderr.write(
            f"hullguard: warning: the newest advisory is older than {args.max_age} days; "
            "run `hullguard db update`\n"
        )
    return 0


def _days(age: timedelta | None) -> str:
    if age is None:
        return "unknown"
    days = age.days
    return "today" if days <= 0 else f"{days} day{'s' if days != 1 else ''} ago"
