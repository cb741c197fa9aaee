"""`hullguard registry audit URL`: a registry's security, as misconfiguration findings."""

from __future__ import annotations

import argparse
from pathlib import Path

from hullguard.cli.options import check_format, emit, parse_severities
from hullguard.cli.progress import note
from hullguard.cli.registry_args import add_registry_arguments, registry_options
from hullguard.errors import UsageError
from hullguard.model import Digest
from hullguard.pipeline import Filters, RegistryTarget, ScanOptions, scan
from hullguard.registry import RegistryClient
from hullguard.registry.audit import AuditOptions, SignatureCheck
from hullguard.registry.reference import Reference
from hullguard.report import formats

NAME = "registry"
HELP = "registry tools: `registry audit URL` reports how safe a registry is"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="registry_command", metavar="SUBCOMMAND", required=True)
    audit = sub.add_parser(
        "audit", help="audit a registry: TLS, authentication, anonymous access, signatures"
    )
    audit.add_argument("url", help="registry URL: https://HOST[:PORT], http://HOST[:PORT] or HOST[:PORT]")
    audit.add_argument(
        "--active", action="store_true", help="also try an anonymous push (started, then cancelled)"
    )
    audit.add_argument(
        "--key", type=Path, help="public key: report repositories whose tags it has not signed"
    )
    audit.add_argument(
        "--cert-warn-days", type=int, default=30, help="warn when the certificate expires sooner"
    )
    audit.add_argument("--max-repositories", type=int, default=200, help="repositories to check with --key")
    add_registry_arguments(audit)
    audit.add_argument("--format", "-f", default="table", help=f"one of {', '.join(formats())}")
    audit.add_argument("--output", "-o", type=Path, help="write the report to FILE instead of stdout")
    audit.add_argument("--severity", "-s", help="only these severities, e.g. HIGH,CRITICAL")
    audit.add_argument("--exit-code", type=int, default=0, help="exit with this code when findings remain")


def run(args: argparse.Namespace) -> int:
    check_format(args.format)
    severities = parse_severities(args.severity)
    if args.cert_warn_days < 0 or args.max_repositories < 1:
        raise UsageError("--cert-warn-days must be >= 0 and --max-repositories >= 1")
    options = AuditOptions(
        active=args.active,
        cert_warn_days=args.cert_warn_days,
        max_repositories=args.max_repositories,
        signature_check=signature_check(args.key) if args.key else None,
    )
    if not args.active:
        note(args, "hullguard: anonymous push not tested (pass --active to try one, cancelled at once)")
    target = RegistryTarget(url=args.url, registry=registry_options(args), audit=options)
    report = scan(target, ScanOptions(scanners=frozenset(), filters=Filters(severities=severities)))
    return emit(report, args)


def signature_check(key_path: Path) -> SignatureCheck:
    """`--key`: a tag passes when hullguard.signing verifies a signature by that key on its digest."""
    from hullguard.cli.signing_args import load_verifying_key  # signing needs hullguard[sign]
    from hullguard.signing.errors import SigningError
    from hullguard.signing.remote import RemoteRepository, Target, verify_image

    key = load_verifying_key(key_path)

    def check(client: RegistryClient, ref: Reference, digest: Digest) -> str | None:
        try:
            verify_image(Target(ref=ref, digest=digest, repo=RemoteRepository(client, ref)), key=key)
        except SigningError as e:
            return str(e)
        return None

    return check
