"""`hullguard key generate`: a cosign-compatible key pair (cosign.key, cosign.pub)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hullguard.cli.progress import note
from hullguard.cli.signing_args import key_password, load_signing_key
from hullguard.errors import UsageError
from hullguard.signing.keys import generate_key_pair, public_pem

NAME = "key"
HELP = "signing keys: `key generate` writes a cosign-format ECDSA P-256 key pair; `key public` prints one"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="key_action", metavar="ACTION", required=True)
    generate = actions.add_parser("generate", help="write PREFIX.key (encrypted) and PREFIX.pub")
    generate.add_argument("--output-key-prefix", default="cosign", help="file name prefix (default: cosign)")
    generate.add_argument("--force", action="store_true", help="overwrite existing key files")
    public = actions.add_parser("public", help="print the public key of a private key (cosign public-key)")
    public.add_argument("--key", type=Path, required=True, help="private key (cosign.key or a PEM key)")


def run(args: argparse.Namespace) -> int:
    if args.key_action == "public":
        sys.stdout.write(public_pem(load_signing_key(args.key).public_key()).decode())
        return 0
    private, public = Path(f"{args.output_key_prefix}.key"), Path(f"{args.output_key_prefix}.pub")
    existing = [str(p) for p in (private, public) if p.exists()]
    if existing and not args.force:
        raise UsageError(f"{', '.join(existing)} already exist; pass --force to overwrite")
    pair = generate_key_pair(key_password(confirm=True))
    # the private key is written 0600 from the start, never readable by others even briefly
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when --force reuses a file that had looser permissions
    with os.fdopen(fd, "wb") as out:
        out.write(pair.private_pem)
    public.write_bytes(pair.public_pem)
    note(args, f"Private key written to {private}\nPublic key written to {public}")
    return 0
