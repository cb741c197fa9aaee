"""Tag -> digest for references written in files (Dockerfile FROM lines): one call per reference."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from hullguard.registry.client import RegistryClient
from hullguard.registry.reference import parse_reference
from hullguard.registry.transport import RegistryOptions, is_loopback


def digest_resolver(options: RegistryOptions) -> Callable[[str], str]:
    """A resolver for `rules.dockerfile.pin`. Registries on loopback may use plain HTTP, as Docker allows."""

    def resolve(text: str) -> str:
        ref = parse_reference(text)
        opts = replace(options, insecure=True) if is_loopback(ref.registry) else options
        with RegistryClient.for_reference(ref, opts) as client:
            return str(client.resolve(ref))

    return resolve
