"""Options for commands that talk to a registry (signing, `db push`, `db update --from`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from hullguard.registry import RegistryOptions, password_from_env


def add_registry_arguments(parser: argparse.ArgumentParser, ca_cert: bool = True) -> None:
    """`ca_cert=False` where the command already has its own --ca-cert (it is then shared)."""
    parser.add_argument("--insecure", action="store_true", help="allow plain HTTP and unverified TLS")
    if ca_cert:
        parser.add_argument(
            "--ca-cert", type=Path, help="PEM file of CA certificates to trust for the registry"
        )
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
