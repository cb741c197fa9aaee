"""`hullguard sign IMAGE --key KEY`: sign an image the way cosign does, in its registry."""

from __future__ import annotations

import argparse
from pathlib import Path

from hullguard.cli.progress import activity, note
from hullguard.cli.signing_args import (
    add_registry_arguments,
    load_signing_key,
    parse_annotations,
    registry_options,
    registry_target,
)
from hullguard.signing.layout import tag_for
from hullguard.signing.remote import open_target, sign_image

NAME = "sign"
HELP = "sign an image in a registry with a cosign-compatible key (pushes sha256-<hex>.sig)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", help="image reference; a tag is resolved to its digest first")
    parser.add_argument("--key", type=Path, required=True, help="private key (cosign.key or a PEM key)")
    parser.add_argument(
        "--annotation", "-a", action="append", metavar="KEY=VALUE", help="signed claim (repeatable)"
    )
    add_registry_arguments(parser)


def run(args: argparse.Namespace) -> int:
    annotations = parse_annotations(args.annotation, "--annotation")
    key = load_signing_key(args.key)
    with (
        activity(args, f"signing {args.image}"),
        open_target(registry_target(args.image, "signing"), registry_options(args)) as target,
    ):
        artifact = sign_image(target, key, annotations)
    note(
        args,
        f"Signed {target.pinned}\nPushed {target.name}:{tag_for(target.digest, 'sig')} ({artifact.digest})",
    )
    return 0
