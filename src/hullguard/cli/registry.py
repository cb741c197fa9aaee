"""`hullguard registry audit URL`: a registry's security, as misconfiguration findings."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from hullguard.cli.options import emit
from hullguard.errors import UsageError
from hullguard.model import Artifact, ArtifactType, Digest, Finding, Report, Severity
from hullguard.model.finding import sort_findings
from hullguard.registry import RegistryClient, RegistryOptions, password_from_env
from hullguard.registry.audit import AuditOptions, SignatureCheck, audit_registry
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


def add_registry_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every command that talks to a registry takes."""
    parser.add_argument("--insecure", action="store_true", help="allow plain HTTP and unverified TLS")
    parser.add_argument("--ca-cert", type=Path, help="PEM file of CA certificates to trust for the registry")
    parser.add_argument("--client-cert", type=Path, help="PEM client certificate (and key) for registry mTLS")
    parser.add_argument("--client-key", type=Path, help="PEM private key of --client-cert, if separate")
    parser.add_argument("--username", help="registry user name (else ~/.docker/config.json)")
    parser.add_argument("--password", help="registry password or token (prefer HULLGUARD_PASSWORD)")


def registry_options(args: argparse.Namespace) -> RegistryOptions:
    return RegistryOptions(
        insecure=args.insecure,
        ca_cert=args.ca_cert,
        client_cert=args.client_cert,
        client_key=args.client_key,
        username=args.username,
        password=password_from_env(args.username, args.password),
    )


def run(args: argparse.Namespace) -> int:
    if args.format not in formats():
        raise UsageError(f"--format {args.format!r}: expected one of {', '.join(formats())}")
    severities = None
    if args.severity:
        try:
            severities = {Severity.parse(s) for s in args.severity.split(",") if s.strip()}
        except ValueError as e:
            raise UsageError(f"--severity: {e}") from e
    if args.cert_warn_days < 0 or args.max_repositories < 1:
        raise UsageError("--cert-warn-days must be >= 0 and --max-repositories >= 1")
    options = AuditOptions(
        active=args.active,
        cert_warn_days=args.cert_warn_days,
        max_repositories=args.max_repositories,
        signature_check=signature_check(args.key) if args.key else None,
    )
    if not args.active:
        sys.stderr.write(
            "hullguard: anonymous push not tested (pass --active to try one, cancelled at once)\n"
        )
    result = audit_registry(args.url, registry_options(args), options)
    findings: list[Finding] = [f for f in result.findings if severities is None or f.severity in severities]
    report = Report(
        artifact=Artifact(name=result.url, type=ArtifactType.CONFIG),
        findings=sort_findings(findings),
        issues=result.issues,
    )
    return emit(report, args)


def signature_check(key_path: Path) -> SignatureCheck:
    """Signature verification for `--key`, from the signing package.

    The hook between the audit and hullguard.signing: `verify_image(Target, key=...)` raising
    `VerificationFailed` is the signing package's contract. Imported by name so the audit
    builds and runs without it (then --key is refused with a clear message).
    """
    try:
        remote = importlib.import_module("hullguard.signing.remote")
        errors = importlib.import_module("hullguard.signing.errors")
        signing_args = importlib.import_module("hullguard.cli.signing_args")
    except ImportError as e:
        raise UsageError(
            "--key: this hullguard has no signature support (hullguard.signing is missing)"
        ) from e
    key = signing_args.load_verifying_key(key_path)

    def check(client: RegistryClient, ref: Reference, digest: Digest) -> str | None:
        target = remote.Target(ref=ref, digest=digest, repo=remote.RemoteRepository(client, ref))
        try:
            remote.verify_image(target, key=key)
        except errors.SigningError as e:
            return str(e)
        return None

    return check
