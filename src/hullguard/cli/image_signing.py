"""`hullguard image`'s signature policy and attestation options, as the pipeline's typed values."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hullguard.cli.keyless_args import add_matching_arguments, identity_from_args, keyless_given
from hullguard.cli.options import emit
from hullguard.cli.progress import activity, note
from hullguard.errors import UsageError
from hullguard.model import Report
from hullguard.pipeline import AttestPolicy, ImageTarget, ScanOptions, SignaturePolicy, attest_report
from hullguard.report.terminal import neutralise

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
    """What `hullguard image` asks of the pipeline: the target (with its signature policy), and
    whether to attest the report after."""

    target: ImageTarget
    attest: AttestPolicy | None = None


def plan_image_scan(args: argparse.Namespace) -> ImagePlan:
    """Check the options early, before a long scan; load the keys the policies name."""
    base = getattr(args, "base_image", None)
    if not (args.require_signature or args.attest_key):
        return ImagePlan(target=ImageTarget(ref=str(args.target), base_image=base))
    from hullguard.cli.signing_args import load_signing_key, load_verifying_key, registry_target
    from hullguard.signing import keyless
    from hullguard.signing.predicates import REPORT_PREDICATES

    registry_target(args.target, "--require-signature or --attest-key")
    if args.require_signature and args.key is None and not keyless_given(args):
        raise UsageError(
            "--require-signature needs --key PUB, or --certificate-identity[-regexp] and "
            "--certificate-oidc-issuer[-regexp]"
        )
    if args.attest_key and args.format not in REPORT_PREDICATES:
        raise UsageError(f"--attest-key: --format must be one of {', '.join(REPORT_PREDICATES)}")
    attest = None
    if args.attest_key:
        attest = AttestPolicy(
            key=load_signing_key(args.attest_key), format=args.format, started=datetime.now(UTC)
        )
    signature = None
    if args.require_signature:
        identity = identity_from_args(args)
        signature = SignaturePolicy(
            key=load_verifying_key(args.key) if args.key else None,
            identity=identity,
            root=keyless.load_trusted_root() if identity else None,
        )
    return ImagePlan(
        target=ImageTarget(ref=str(args.target), base_image=base, signature=signature), attest=attest
    )


def emit_report(plan: ImagePlan, report: Report, options: ScanOptions, args: argparse.Namespace) -> int:
    """`emit`, and with --attest-key also attest the very bytes the user gets."""
    if plan.attest is None:
        return emit(report, args)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        rendered = Path(folder) / "report"
        code = emit(report, argparse.Namespace(**{**vars(args), "output": rendered}))
        text = rendered.read_text(encoding="utf-8")
    with activity(args, f"attesting {plan.target.ref}"):
        done = attest_report(plan.target.ref, report, text, plan.attest, options.source, datetime.now(UTC))
    note(args, neutralise(done))
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return code
