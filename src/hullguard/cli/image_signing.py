"""`hullguard image` around the scan: require a signature first, attach the report after."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hullguard.cli.keyless_args import add_matching_arguments, identity_from_args, keyless_given
from hullguard.cli.options import emit
from hullguard.cli.progress import activity, note
from hullguard.errors import UsageError
from hullguard.model import Report

if TYPE_CHECKING:
    from hullguard.signing import keys

# Signing and the registry client (cryptography, sigstore, httpx) load only when an option
# asks for them: a plain scan of a local archive should not pay for their import.


def add_signature_policy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--require-signature", action="store_true", help="refuse to scan unless the image is signed by --key"
    )
    parser.add_argument("--key", type=Path, help="public key that must have signed the image")
    parser.add_argument(
        "--certificate-identity", help="keyless: the identity that must have signed the image"
    )
    parser.add_argument("--certificate-oidc-issuer", help="keyless: the OIDC issuer of that identity")
    add_matching_arguments(parser)
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
    from hullguard.cli.signing_args import (
        load_signing_key,
        load_verifying_key,
        registry_options,
        registry_target,
    )
    from hullguard.signing import keyless
    from hullguard.signing.predicates import REPORT_PREDICATES
    from hullguard.signing.remote import open_target, verify_image

    registry_target(args.target, "--require-signature or --attest-key")
    if args.require_signature and args.key is None and not keyless_given(args):
        raise UsageError(
            "--require-signature needs --key PUB, or --certificate-identity[-regexp] and "
            "--certificate-oidc-issuer[-regexp]"
        )
    if args.attest_key and args.format not in REPORT_PREDICATES:
        raise UsageError(f"--attest-key: --format must be one of {', '.join(REPORT_PREDICATES)}")
    attest_key = load_signing_key(args.attest_key) if args.attest_key else None
    if not args.require_signature:
        return ImagePlan(target=str(args.target), attest_key=attest_key)
    identity = identity_from_args(args)
    key = load_verifying_key(args.key) if args.key else None
    root = keyless.load_trusted_root() if identity else None
    with (
        activity(args, f"verifying {args.target}"),
        open_target(args.target, registry_options(args)) as target,
    ):
        verify_image(target, key=key, identity=identity, root=root)
    note(args, f"Signature verified for {target.pinned}")
    return ImagePlan(
        target=f"{target.ref.registry}/{target.ref.repository}@{target.digest}", attest_key=attest_key
    )


def emit_report(plan: ImagePlan, report: Report, args: argparse.Namespace) -> int:
    """`emit`, and with --attest-key also attest the very bytes the user gets (an SBOM rendered
    twice would differ in its serial number and timestamp)."""
    if plan.attest_key is None:
        return emit(report, args)
    with tempfile.TemporaryDirectory() as folder:
        rendered = Path(folder) / "report"
        code = emit(report, argparse.Namespace(**{**vars(args), "output": rendered}))
        text = rendered.read_text(encoding="utf-8")
    attach_report(plan, report, text, args)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return code


def attach_report(plan: ImagePlan, report: Report, rendered: str, args: argparse.Namespace) -> None:
    """Attest the scanned manifest's digest with the rendered report, as `hullguard attest` would."""
    from hullguard.cli.signing_args import registry_options
    from hullguard.registry import parse_reference
    from hullguard.signing.predicates import report_predicate
    from hullguard.signing.remote import attest_image, open_target

    if plan.attest_key is None:
        return
    if report.artifact.digest is None:
        raise UsageError(f"{plan.target}: the scan did not record a manifest digest to attest")
    kind, predicate = report_predicate(args.format, json.loads(rendered), plan.started, datetime.now(UTC))
    ref = parse_reference(plan.target)
    pinned = f"{ref.registry}/{ref.repository}@{report.artifact.digest}"
    with activity(args, f"attesting {pinned}"), open_target(pinned, registry_options(args)) as target:
        attest_image(target, plan.attest_key, kind, predicate)
    note(args, f"Attested {target.pinned} ({kind})")
