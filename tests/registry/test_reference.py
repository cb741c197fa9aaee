"""Reference parsing: the forms docker and skopeo accept, and clear errors for the rest."""

from __future__ import annotations

import pytest

from hullguard.registry import RegistryError, parse_reference, parse_registry_url

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("alpine", "docker.io", "library/alpine", None, None),
        ("alpine:3.19", "docker.io", "library/alpine", "3.19", None),
        ("bitnami/redis:7", "docker.io", "bitnami/redis", "7", None),
        ("docker.io/alpine", "docker.io", "library/alpine", None, None),
        ("index.docker.io/library/alpine", "docker.io", "library/alpine", None, None),
        ("127.0.0.1:5000/team/app:1.0", "127.0.0.1:5000", "team/app", "1.0", None),
        ("localhost/app", "localhost", "app", None, None),
        ("ghcr.io/org/a/b/c", "ghcr.io", "org/a/b/c", None, None),
        (f"ghcr.io/org/app@{DIGEST}", "ghcr.io", "org/app", None, DIGEST),
        (f"ghcr.io/org/app:v1@{DIGEST}", "ghcr.io", "org/app", "v1", DIGEST),
        ("docker://quay.io/x/y:z", "quay.io", "x/y", "z", None),
        ("[::1]:5000/app:t", "[::1]:5000", "app", "t", None),
    ],
)
def test_parses(text: str, registry: str, repository: str, tag: str | None, digest: str | None) -> None:
    ref = parse_reference(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)


def test_identifier_prefers_digest_then_tag_then_latest() -> None:
    assert parse_reference("a/b").identifier == "latest"
    assert parse_reference("a/b:t").identifier == "t"
    assert parse_reference(f"a/b:t@{DIGEST}").identifier == DIGEST


def test_docker_hub_api_host_and_round_trip() -> None:
    ref = parse_reference("alpine:3")
    assert ref.api_host == "registry-1.docker.io"
    assert str(ref) == "docker.io/library/alpine:3"
    assert parse_reference("127.0.0.1:5000/x").api_host == "127.0.0.1:5000"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("Upper/Case", "not a valid repository"),
        ("host.io/app:bad tag", "not a valid tag"),
        ("host.io/app@sha256:xyz", "not a digest"),
        ("host.io/", "not a valid repository"),
        ("host.io/a//b", "not a valid repository"),
    ],
)
def test_rejects(text: str, complaint: str) -> None:
    with pytest.raises(RegistryError, match=complaint):
        parse_reference(text)


def test_registry_urls() -> None:
    assert parse_registry_url("https://r.example:5000/") == ("r.example:5000", "https")
    assert parse_registry_url("http://127.0.0.1:5000") == ("127.0.0.1:5000", "http")
    assert parse_registry_url("R.example") == ("r.example", None)
    with pytest.raises(RegistryError):
        parse_registry_url("https://")
