"""`hullguard attest IMAGE --predicate FILE --type T --key KEY`: a signed in-toto attestation."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hullguard.cli.progress import activity, note
from hullguard.cli.signing_args import (
    add_registry_arguments,
    load_signing_key,
    registry_options,
    registry_target,
)
from hullguard.errors import UsageError
from hullguard.signing.dsse import PREDICATE_TYPES, predicate_type
from hullguard.signing.layout import tag_for
from hullguard.signing.remote import attest_image, open_target

NAME = "attest"
HELP = "attach a signed in-toto attestation (SBOM, VEX, vulnerability report, ...) to an image"
MAX_PREDICATE = 8 * 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", help="image reference; a tag is resolved to its digest first")
    parser.add_argument(
        "--predicate", type=Path, required=True, help="the predicate: JSON, or any text with --type custom"
    )
    parser.add_argument(
        "--type",
        default="custom",
        help=f"{'|'.join(PREDICATE_TYPES)} or a predicate type URI (default: custom)",
    )
    parser.add_argument("--key", type=Path, required=True, help="private key (cosign.key or a PEM key)")
    add_registry_arguments(parser)


def read_predicate(path: Path, custom: bool) -> Any:
    """The predicate as JSON; for `--type custom`, cosign's generic predicate around the text."""
    try:
        if path.stat().st_size > MAX_PREDICATE:
            raise UsageError(f"{path}: larger than {MAX_PREDICATE >> 20} MiB")
        text = path.read_text(encoding="utf-8")
        if custom:
            return {"Data": text, "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        return json.loads(text)
    except OSError as e:
        raise UsageError(f"--predicate {path}: {e.strerror}") from e
    except (ValueError, UnicodeDecodeError) as e:
        raise UsageError(f"--predicate {path}: not JSON: {e}") from e


def run(args: argparse.Namespace) -> int:
    kind = predicate_type(args.type)
    predicate = read_predicate(args.predicate, custom=args.type == "custom")
    key = load_signing_key(args.key)
    with (
        activity(args, f"attesting {args.image}"),
        open_target(registry_target(args.image, "attesting"), registry_options(args)) as target,
    ):
        artifact = attest_image(target, key, kind, predicate)
    note(
        args,
        f"Attested {target.pinned} ({kind})\nPushed {target.name}:{tag_for(target.digest, 'att')} ({artifact.digest})",
    )
    return 0
