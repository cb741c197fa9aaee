"""Credentials from docker's config.json and real credential-helper programs, against the TLS + auth registry."""

from __future__ import annotations

import base64
import json
import stat
import sys
from pathlib import Path

import pytest

from hullguard.registry import RegistryClient, RegistryError, RegistryOptions, Unauthorized, parse_reference
from hullguard.registry.auth import find_credentials, parse_challenge
from tests.registry.conftest import LiveRegistry
from tests.support import servers

HELPER = """#!{python}
import json, sys
server = sys.stdin.read().strip()
open({log!r}, "a").write(sys.argv[1] + " " + server + "\\n")
if server == {host!r}:
    print(json.dumps({{"ServerURL": server, "Username": {user!r}, "Secret": {secret!r}}}))
else:
    print("credentials not found in native keychain")
    sys.exit(1)
"""


def _helper(bin_dir: Path, name: str, host: str, secret: str) -> Path:
    """A real docker-credential-NAME program on PATH; it logs what it was asked."""
    log = bin_dir / f"{name}.log"
    script = bin_dir / f"docker-credential-{name}"
    script.write_text(
        HELPER.format(python=sys.executable, log=str(log), host=host, user=servers.USER, secret=secret)
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return log


def _config(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(doc))
    return path


def _pull(live: LiveRegistry, config: Path) -> str:
    ref = parse_reference(live.demo_ref)
    options = RegistryOptions(ca_cert=live.server.ca_cert, docker_config=config)
    with RegistryClient.for_reference(ref, options) as client:
        return client.get_manifest(ref).digest


def test_auths_entry(tls_registry: LiveRegistry, tmp_path: Path) -> None:
    auth = base64.b64encode(f"{servers.USER}:{servers.PASSWORD}".encode()).decode()
    config = _config(tmp_path, {"auths": {f"https://{tls_registry.server.host}": {"auth": auth}}})
    assert _pull(tls_registry, config).startswith("sha256:")


def test_auths_entry_with_wrong_password_names_its_origin(tls_registry: LiveRegistry, tmp_path: Path) -> None:
    auth = base64.b64encode(f"{servers.USER}:wrong".encode()).decode()
    config = _config(tmp_path, {"auths": {tls_registry.server.host: {"auth": auth}}})
    with pytest.raises(Unauthorized, match=r"rejected the credentials from .*config.json auths"):
        _pull(tls_registry, config)


@pytest.mark.integration
def test_cred_helper_and_creds_store(
    tls_registry: LiveRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = tls_registry.server.host
    monkeypatch.setenv("PATH", f"{tmp_path}:{__import__('os').environ['PATH']}")
    log = _helper(tmp_path, "hgtest", host, servers.PASSWORD)
    # credHelpers wins over a wrong auths entry for the same host.
    bad = base64.b64encode(b"x:y").decode()
    config = _config(tmp_path, {"credHelpers": {host: "hgtest"}, "auths": {host: {"auth": bad}}})
    assert _pull(tls_registry, config)
    assert log.read_text().split() == ["get", host]
    # credsStore serves every host; a miss falls back to auths.
    config = _config(tmp_path, {"credsStore": "hgtest"})
    assert _pull(tls_registry, config)
    assert find_credentials("other.example", config_path=config) is None


def test_missing_helper_is_a_clear_error(tmp_path: Path) -> None:
    config = _config(tmp_path, {"credHelpers": {"r.example": "absent-helper-xyz"}})
    with pytest.raises(
        RegistryError, match=r"docker-credential-absent-helper-xyz \(named in .*\) is not on PATH"
    ):
        find_credentials("r.example", config_path=config)


def test_missing_default_store_falls_back_to_auths(tmp_path: Path) -> None:
    auth = base64.b64encode(b"carol:pw").decode()
    config = _config(tmp_path, {"credsStore": "absent-store-xyz", "auths": {"r.example": {"auth": auth}}})
    found = find_credentials("r.example", config_path=config)
    assert found is not None and found.username == "carol"
    assert find_credentials("other.example", config_path=config) is None


def test_config_precedence_and_shapes(tmp_path: Path) -> None:
    auth = base64.b64encode(b"alice:pw:with:colons").decode()
    config = _config(
        tmp_path,
        {
            "auths": {
                "https://index.docker.io/v1/": {"auth": auth},
                "r.example:5000": {"identitytoken": "refresh-me"},
            }
        },
    )
    hub = find_credentials("registry-1.docker.io", config_path=config)
    assert hub is not None and (hub.username, hub.password) == ("alice", "pw:with:colons")
    assert "pw" not in repr(hub)
    token = find_credentials("r.example:5000", config_path=config)
    assert token is not None and token.identity_token == "refresh-me"
    explicit = find_credentials("r.example:5000", "bob", "secret", config_path=config)
    assert explicit is not None and explicit.origin == "command line"
    assert find_credentials("r.example:5000", config_path=tmp_path / "absent.json") is None


@pytest.mark.parametrize("content", ["{not json", "[]", '{"auths": {"h": {"auth": "!!"}}}'])
def test_broken_config_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(content)
    with pytest.raises(RegistryError, match=str(path)):
        find_credentials("h", config_path=path)


def test_challenge_parsing() -> None:
    c = parse_challenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"'
    )
    assert c is not None and c.scheme == "bearer"
    assert c.get("realm") == "https://auth.example/token"
    assert c.get("scope") == "repository:a/b:pull,push"
    basic = parse_challenge('Basic realm="hullguard-test"')
    assert basic is not None and basic.scheme == "basic" and basic.get("realm") == "hullguard-test"
    assert parse_challenge("") is None
