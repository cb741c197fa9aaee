"""Registry fixtures: real docker-registry servers (plain HTTP anonymous; TLS + htpasswd) with the demo image."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from hullguard.registry import RegistryOptions
from tests.conftest import require
from tests.support import servers
from tests.support.images import BuiltImage

DEMO_REPO = "demo/bookworm"


@dataclass(frozen=True)
class LiveRegistry:
    server: servers.RegistryServer
    options: RegistryOptions
    """Options that work: --insecure for plain HTTP; CA and credentials for TLS + auth."""
    demo_ref: str
    """host/demo/bookworm:latest, pushed by skopeo."""


def _require_tools() -> None:
    missing = servers.missing_registry_tools()
    require(not missing, f"registry test tools missing: {', '.join(missing)} (run scripts/setup)")


@pytest.fixture(scope="session")
def plain_registry(demo_image: BuiltImage) -> Iterator[LiveRegistry]:
    _require_tools()
    with servers.run_registry() as server:
        ref = servers.push(server, demo_image.oci_ref, DEMO_REPO)
        yield LiveRegistry(server=server, options=RegistryOptions(insecure=True), demo_ref=ref)


@pytest.fixture(scope="session")
def tls_registry(demo_image: BuiltImage) -> Iterator[LiveRegistry]:
    _require_tools()
    with servers.run_registry(tls=True, htpasswd=True) as server:
        ref = servers.push(server, demo_image.oci_ref, DEMO_REPO)
        options = RegistryOptions(ca_cert=server.ca_cert, username=servers.USER, password=servers.PASSWORD)
        yield LiveRegistry(server=server, options=options, demo_ref=ref)
