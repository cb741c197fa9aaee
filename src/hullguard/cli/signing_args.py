"""Options and helpers the signing commands share: registry access, keys, passwords, annotations."""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from hullguard.cli.registry_args import add_registry_arguments as add_registry_arguments  # re-exported
from hullguard.cli.registry_args import registry_options as registry_options
from hullguard.errors import UsageError
from hullguard.report.terminal import neutralise
from hullguard.signing import keys
from hullguard.signing.errors import KeyFileError, VerificationFailed

MAX_KEY_FILE = 64 * 1024
EXIT_NOT_VERIFIED = 1
LOCAL_SCHEMES = ("oci:", "oci-archive:", "docker-archive:", "docker-daemon:")
PATH_PREFIXES = ("/", "./", "../", "~")
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".oci")


def registry_target(target: str, what: str) -> str:
    """TARGET when it names an image in a registry. A local image (archive, OCI layout, daemon)
    is refused here, with what to do instead: cosign's signatures and attestations live in the
    registry beside the image, and a local path must never become a Docker Hub lookup."""
    local = (
        target.startswith(LOCAL_SCHEMES + PATH_PREFIXES)
        or target.endswith(ARCHIVE_SUFFIXES)
        or Path(target).exists()
    )
    if local:
        raise UsageError(
            f"{target}: a local image; {what} needs an image in a registry, where its signatures "
            "live beside it. Push it first (e.g. `skopeo copy oci:DIR:TAG docker://REGISTRY/REPO:TAG`) "
            f"and give REGISTRY/REPO:TAG or REGISTRY/REPO@DIGEST"
        )
    return target


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
    sys.stderr.write(f"hullguard: {neutralise(failure.diagnostics(), newlines=True)}\n")
    print_json({"image": image, "verified": False, "error": str(failure), "reasons": list(failure.reasons)})
    return EXIT_NOT_VERIFIED
