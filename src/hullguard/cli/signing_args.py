"""Options and helpers the signing commands share: registry access, keys, passwords, annotations."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from hullguard.errors import UsageError
from hullguard.registry import RegistryOptions, password_from_env
from hullguard.report.terminal import neutralise
from hullguard.signing import keys
from hullguard.signing.errors import KeyFileError, VerificationFailed

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
    sys.stderr.write(f"hullguard: {neutralise(failure.diagnostics(), newlines=True)}\n")
    print_json({"image": image, "verified": False, "error": str(failure), "reasons": list(failure.reasons)})
    return EXIT_NOT_VERIFIED
