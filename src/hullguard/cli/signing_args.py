"""Options and helpers the signing commands share: registry access, keys, passwords, annotations."""

from __future__ import annotations

import argparse
import getpass
import io
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hullguard.errors import UsageError
from hullguard.model import Report
from hullguard.registry import RegistryOptions, parse_reference, password_from_env
from hullguard.report import writer_for
from hullguard.signing import keyless, keys
from hullguard.signing.errors import KeyFileError, VerificationFailed
from hullguard.signing.predicates import REPORT_PREDICATES, report_predicate
from hullguard.signing.remote import attest_image, open_target, verify_image

MAX_KEY_FILE = 64 * 1024
EXIT_NOT_VERIFIED = 1
LOCAL_SCHEMES = ("oci:", "oci-archive:", "docker-archive:", "docker-daemon:")


def add_registry_arguments(parser: argparse.ArgumentParser) -> None:
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


def parse_annotations(pairs: list[str] | None, option: str) -> dict[str, str]:
    result = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"{option} {pair!r}: expected KEY=VALUE")
        result[key] = value
    return result


def key_password(confirm: bool = False) -> bytes:
    """COSIGN_PASSWORD when set (even empty, as cosign does), else a prompt on the terminal."""
    if "COSIGN_PASSWORD" in os.environ:
        return os.environ["COSIGN_PASSWORD"].encode()
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask for the key password: set COSIGN_PASSWORD")
    password = getpass.getpass("Enter password for private key: ")
    if confirm and getpass.getpass("Enter password for private key again: ") != password:
        raise UsageError("the two passwords differ")
    return password.encode()


def _read_key_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_KEY_FILE:
            raise KeyFileError(f"{path}: too large for a key file")
        return path.read_bytes()
    except OSError as e:
        raise KeyFileError(f"{path}: {e.strerror}") from e


def load_signing_key(path: Path) -> keys.PrivateKey:
    data = _read_key_file(path)
    password = key_password() if b"ENCRYPTED" in data else None
    return keys.load_private_key(data, password, str(path))


def load_verifying_key(path: Path) -> keys.PublicKey:
    return keys.load_public_key(_read_key_file(path), str(path))


def print_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")


def report_failure(image: str, failure: VerificationFailed) -> int:
    """A failed verification: the reasons on stderr and as JSON on stdout, exit 1."""
    sys.stderr.write(f"hullguard: {failure.diagnostics()}\n")
    print_json({"image": image, "verified": False, "error": str(failure), "reasons": list(failure.reasons)})
    return EXIT_NOT_VERIFIED


def add_signature_policy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--require-signature", action="store_true", help="refuse to scan unless the image is signed by --key"
    )
    parser.add_argument("--key", type=Path, help="public key that must have signed the image")
    parser.add_argument(
        "--certificate-identity", help="keyless: the identity that must have signed the image"
    )
    parser.add_argument("--certificate-oidc-issuer", help="keyless: the OIDC issuer of that identity")
    parser.add_argument(
        "--attest-key",
        type=Path,
        help="private key: attach the report to the image as a signed attestation "
        "(--format json: vuln, cyclonedx: cyclonedx, spdx-json: spdxjson)",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ImagePlan:
    """What `hullguard image` does around the scan: which target, and whether to attest after."""

    target: str
    attest_key: keys.PrivateKey | None = None
    started: datetime = field(default_factory=lambda: datetime.now(UTC))


def plan_image_scan(args: argparse.Namespace) -> ImagePlan:
    """Check the options early (before a long scan) and verify the signature when required. With
    --require-signature the target becomes the verified digest, so that what is scanned is what
    was verified even if the tag moves meanwhile."""
    if not (args.require_signature or args.attest_key):
        return ImagePlan(target=str(args.target))
    if args.target.startswith(LOCAL_SCHEMES) or Path(args.target).exists():
        raise UsageError("--require-signature and --attest-key need a registry reference, not a local image")
    keyless_given = args.certificate_identity or args.certificate_oidc_issuer
    if args.require_signature and args.key is None and not keyless_given:
        raise UsageError(
            "--require-signature needs --key PUB, or --certificate-identity and --certificate-oidc-issuer"
        )
    if args.attest_key and args.format not in REPORT_PREDICATES:
        raise UsageError(f"--attest-key: --format must be one of {', '.join(REPORT_PREDICATES)}")
    attest_key = load_signing_key(args.attest_key) if args.attest_key else None
    if not args.require_signature:
        return ImagePlan(target=str(args.target), attest_key=attest_key)
    key = load_verifying_key(args.key) if args.key else None
    identity = None
    if key is None:
        if not (args.certificate_identity and args.certificate_oidc_issuer):
            raise UsageError(
                "keyless verification needs both --certificate-identity and --certificate-oidc-issuer"
            )
        identity = keyless.Identity(identity=args.certificate_identity, issuer=args.certificate_oidc_issuer)
    root = keyless.load_trusted_root() if identity else None
    with open_target(args.target, registry_options(args)) as target:
        verify_image(target, key=key, identity=identity, root=root)
        sys.stderr.write(f"Signature verified for {target.pinned}\n")
        return ImagePlan(
            target=f"{target.ref.registry}/{target.ref.repository}@{target.digest}", attest_key=attest_key
        )


def attach_report(plan: ImagePlan, report: Report, args: argparse.Namespace) -> None:
    """Attest the scanned manifest's digest with the report, as `hullguard attest` would."""
    if plan.attest_key is None:
        return
    if report.artifact.digest is None:
        raise UsageError(f"{plan.target}: the scan did not record a manifest digest to attest")
    rendered = io.StringIO()
    writer_for(args.format)(report, rendered)
    kind, predicate = report_predicate(
        args.format, json.loads(rendered.getvalue()), plan.started, datetime.now(UTC)
    )
    ref = parse_reference(plan.target)
    pinned = f"{ref.registry}/{ref.repository}@{report.artifact.digest}"
    with open_target(pinned, registry_options(args)) as target:
        attest_image(target, plan.attest_key, kind, predicate)
        sys.stderr.write(f"Attested {target.pinned} ({kind})\n")
