"""`hullguard verify-attestation IMAGE --key PUB`: check attestations and print their predicates."""

from __future__ import annotations

import argparse
from pathlib import Path

from hullguard.cli.progress import activity, note
from hullguard.cli.signing_args import (
    add_registry_arguments,
    load_verifying_key,
    print_json,
    registry_options,
    registry_target,
    report_failure,
)
from hullguard.cli.verify import add_keyless_arguments, keyless_identity
from hullguard.signing import keyless
from hullguard.signing.dsse import PREDICATE_TYPES, predicate_type
from hullguard.signing.errors import VerificationFailed
from hullguard.signing.remote import open_target, verify_image_attestations

NAME = "verify-attestation"
HELP = "verify an image's in-toto attestations with a public key and print their predicates"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", help="image reference; a tag is resolved to its digest first")
    parser.add_argument("--key", type=Path, help="public key (cosign.pub, PEM) or certificate")
    parser.add_argument("--type", help=f"only this predicate type: {'|'.join(PREDICATE_TYPES)} or a URI")
    add_keyless_arguments(parser)
    add_registry_arguments(parser)


def run(args: argparse.Namespace) -> int:
    wanted = predicate_type(args.type) if args.type else None
    identity = keyless_identity(args)
    key = load_verifying_key(args.key) if args.key else None
    root = keyless.load_trusted_root(args.trusted_root, args.staging) if identity else None
    with (
        activity(args, f"verifying {args.image}"),
        open_target(registry_target(args.image, "verification"), registry_options(args)) as target,
    ):
        try:
            verified = verify_image_attestations(
                target, key=key, identity=identity, root=root, predicate_type=wanted
            )
        except VerificationFailed as e:
            return report_failure(target.pinned, e)
    note(args, f"Verified {target.pinned}: {len(verified)} attestation{'' if len(verified) == 1 else 's'}")
    attestations = [
        {"layer": a.layer, "predicateType": a.statement.predicate_type, "predicate": a.statement.predicate}
        for a in verified
    ]
    print_json(
        {"image": target.pinned, "digest": target.digest, "verified": True, "attestations": attestations}
    )
    return 0
