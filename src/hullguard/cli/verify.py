"""`hullguard verify IMAGE`: is this image, at this digest, signed by this key or identity?"""

from __future__ import annotations

import argparse
from pathlib import Path

from hullguard.cli.keyless_args import add_matching_arguments, identity_from_args
from hullguard.cli.progress import activity, note
from hullguard.cli.signing_args import (
    add_registry_arguments,
    load_verifying_key,
    parse_annotations,
    print_json,
    registry_options,
    registry_target,
    report_failure,
)
from hullguard.errors import UsageError
from hullguard.signing import keyless
from hullguard.signing.errors import VerificationFailed
from hullguard.signing.remote import open_target, verify_image

NAME = "verify"
HELP = "verify an image's cosign signatures with a public key, or keyless with a Sigstore identity"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", help="image reference; a tag is resolved to its digest first")
    parser.add_argument("--key", type=Path, help="public key (cosign.pub, PEM) or certificate")
    parser.add_argument(
        "--annotation", "-a", action="append", metavar="KEY=VALUE", help="required signed claim"
    )
    add_keyless_arguments(parser)
    add_registry_arguments(parser)


def add_keyless_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--certificate-identity", help="keyless: the signer's identity (certificate SAN)")
    parser.add_argument("--certificate-oidc-issuer", help="keyless: the OIDC issuer that vouched for it")
    add_matching_arguments(parser)
    parser.add_argument("--trusted-root", type=Path, help="keyless: a Sigstore trusted_root.json to use")
    parser.add_argument("--staging", action="store_true", help="keyless: trust Sigstore's staging instance")


def keyless_identity(args: argparse.Namespace) -> keyless.Identity | None:
    identity = identity_from_args(args)
    if identity is None and not args.key:
        raise UsageError(
            "give --key PUB, or --certificate-identity[-regexp] and --certificate-oidc-issuer[-regexp]"
        )
    return identity


def run(args: argparse.Namespace) -> int:
    annotations = parse_annotations(args.annotation, "--annotation")
    identity = keyless_identity(args)
    key = load_verifying_key(args.key) if args.key else None
    root = keyless.load_trusted_root(args.trusted_root, args.staging) if identity else None
    with (
        activity(args, f"verifying {args.image}"),
        open_target(registry_target(args.image, "verification"), registry_options(args)) as target,
    ):
        try:
            result = verify_image(target, key=key, identity=identity, root=root, annotations=annotations)
        except VerificationFailed as e:
            return report_failure(target.pinned, e)
    signatures = [{"layer": s.layer, **s.payload.to_json()} for s in result.signatures]
    bundles = [
        {
            "bundle": b.layer,
            "predicateType": b.statement.predicate_type,
            "identity": identity and identity.identity,
        }
        for b in result.bundles
    ]
    count = len(signatures) + len(bundles)
    note(args, f"Verified {target.pinned}: {count} valid signature{'' if count == 1 else 's'}")
    print_json(
        {
            "image": target.pinned,
            "digest": target.digest,
            "verified": True,
            "signatures": signatures,
            "bundles": bundles,
        }
    )
    return 0
