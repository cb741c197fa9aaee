"""Bearer-token auth against a real docker-registry in token mode, with a real (test) token service."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from hullguard.oci.manifest import OCI_MANIFEST
from hullguard.registry import CATALOG_SCOPE, RegistryClient, RegistryOptions, Unauthorized, parse_reference
from hullguard.registry.audit import AuditOptions, audit_registry
from tests.conftest import require
from tests.support import servers, token_service

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def token_registry() -> Iterator[token_service.TokenRegistry]:
    missing = servers.missing_registry_tools()
    require(not missing, f"registry test tools missing: {', '.join(missing)}")
    with token_service.run_token_registry() as live:
        yield live


def _options(live: token_service.TokenRegistry, **overrides: object) -> RegistryOptions:
    fields: dict[str, object] = dict(
        ca_cert=live.registry.ca_cert, username=servers.USER, password=servers.PASSWORD
    )
    fields.update(overrides)
    return RegistryOptions(**fields)  # type: ignore[arg-type]


def _push_small_image(client: RegistryClient, repository: str) -> str:
    config = client.push_blob(repository, b"{}")
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": config, "size": 2},
            "layers": [],
        }
    ).encode()
    return client.put_manifest(repository, "v1", manifest, OCI_MANIFEST)


def test_push_then_pull_with_scoped_tokens(token_registry: token_service.TokenRegistry) -> None:
    host = token_registry.registry.host
    with RegistryClient(host, _options(token_registry)) as client:
        digest = _push_small_image(client, "bearer/app")
        assert client.list_tags("bearer/app") == ["v1"]
        assert "bearer/app" in client.catalog()
    scopes = {s for _, asked in token_registry.token_server.requests for s in asked}
    assert {"repository:bearer/app:pull,push", "repository:bearer/app:pull", CATALOG_SCOPE} <= scopes
    assert all(user == servers.USER for user, _ in token_registry.token_server.requests)
    # Anonymous callers get pull-only tokens: reading works, writing is refused.
    anonymous = _options(
        token_registry, username=None, password=None, docker_config=token_registry.registry.root / "none"
    )
    with RegistryClient(host, anonymous) as client:
        assert client.resolve(parse_reference(f"{host}/bearer/app:v1")) == digest
        with pytest.raises(Unauthorized):
            client.push_blob("bearer/app", b"anonymous write")


def test_mount_asks_for_both_scopes(token_registry: token_service.TokenRegistry) -> None:
    with RegistryClient(token_registry.registry.host, _options(token_registry)) as client:
        digest = client.push_blob("bearer/source", b"mount me")
        assert client.mount_blob("bearer/target", digest, "bearer/source")
        assert client.read_blob("bearer/target", digest) == b"mount me"
    asked = [scopes for _, scopes in token_registry.token_server.requests]
    assert ("repository:bearer/source:pull", "repository:bearer/target:pull,push") in asked


def test_token_service_rejects_wrong_password(token_registry: token_service.TokenRegistry) -> None:
    options = _options(token_registry, password="wrong")
    pattern = r"token service https://127\.0\.0\.1:\d+/token rejected the credentials"
    with (
        RegistryClient(token_registry.registry.host, options) as client,
        pytest.raises(Unauthorized, match=pattern),
    ):
        client.list_tags("bearer/app")


def test_audit_of_a_plain_http_token_registry() -> None:
    """Tokens over plain HTTP are as bad as passwords; anonymous pull tokens make pulls public."""
    with token_service.run_token_registry(tls=False) as live:
        options = RegistryOptions(ca_cert=live.ca_cert, username=servers.USER, password=servers.PASSWORD)
        with RegistryClient(live.registry.host, options, scheme="http") as client:
            _push_small_image(client, "open/app")
        result = audit_registry(f"http://{live.registry.host}", options, AuditOptions(active=True))
    findings = {f.id: f.message for f in result.findings}
    assert set(findings) == {"HG-REG-001", "HG-REG-005", "HG-REG-006"}
    assert "bearer tokens over plain HTTP" in findings["HG-REG-005"]
    assert "open/app can be read without credentials" in findings["HG-REG-006"]
    assert result.issues == ()
