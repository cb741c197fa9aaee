"""The keyless identity options of `verify`, `verify-attestation` and `image --require-signature`:
each of the identity and the issuer given exactly or as a regexp, as cosign takes them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hullguard.errors import UsageError
from hullguard.signing.identity_match import GITHUB_WORKFLOW

if TYPE_CHECKING:
    from hullguard.signing.keyless import Identity

OPTIONS = (
    "certificate_identity",
    "certificate_identity_regexp",
    "certificate_oidc_issuer",
    "certificate_oidc_issuer_regexp",
    *(f"certificate_github_workflow_{field}" for field in GITHUB_WORKFLOW),
)


def add_matching_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--certificate-identity-regexp",
        metavar="REGEXP",
        help="keyless: a regexp the signer's identity (certificate SAN) must match; searched "
        "anywhere in the value as cosign does (Python re.search), anchor with ^...$",
    )
    parser.add_argument(
        "--certificate-oidc-issuer-regexp",
        metavar="REGEXP",
        help="keyless: a regexp the OIDC issuer must match (re.search, as cosign; anchor with ^...$)",
    )
    for field in GITHUB_WORKFLOW:
        parser.add_argument(
            f"--certificate-github-workflow-{field}",
            metavar="VALUE",
            help=f"keyless: the GitHub Actions workflow {field} the certificate must record (exact)",
        )


def keyless_given(args: argparse.Namespace) -> bool:
    return any(getattr(args, name, None) is not None for name in OPTIONS)


def identity_from_args(args: argparse.Namespace) -> Identity | None:
    """The keyless identity the options ask for, None when none is given; UsageError when the
    options are incomplete or contradictory, or --key is given too."""
    if not keyless_given(args):
        return None
    if getattr(args, "key", None):
        raise UsageError("give --key, or the keyless options, not both")
    from hullguard.signing import identity_match
    from hullguard.signing.keyless import Identity

    identity = Identity(
        identity=args.certificate_identity,
        issuer=args.certificate_oidc_issuer,
        identity_regexp=args.certificate_identity_regexp,
        issuer_regexp=args.certificate_oidc_issuer_regexp,
        github_workflow=tuple(
            (field, value)
            for field in GITHUB_WORKFLOW
            if (value := getattr(args, f"certificate_github_workflow_{field}")) is not None
        ),
    )
    try:
        identity_match.check_options(identity)
    except identity_match.IdentityError as e:
        raise UsageError(str(e)) from e
    return identity
