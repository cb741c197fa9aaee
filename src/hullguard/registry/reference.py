"""Image references as users write them: `host[:port]/repo[:tag][@digest]`, with Docker Hub defaults."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from hullguard.model import Digest
from hullguard.registry.errors import RegistryError

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
DEFAULT_TAG = "latest"

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$")
_HOST = re.compile(r"^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::[0-9]{1,5})?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    """One image (or repository, when neither tag nor digest is set) in one registry."""

    registry: str
    """As written, normalised: `docker.io`, `127.0.0.1:5000`, `ghcr.io`."""
    repository: str
    tag: str | None = None
    digest: Digest | None = None

    @property
    def api_host(self) -> str:
        """The host[:port] that serves the /v2/ API (Docker Hub's differs from its name)."""
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def identifier(self) -> str:
        """What to ask the manifest endpoint for: the digest if pinned, else the tag."""
        return self.digest or self.tag or DEFAULT_TAG

    def with_digest(self, digest: Digest) -> Reference:
        return replace(self, digest=digest)

    def with_tag(self, tag: str | None) -> Reference:
        return replace(self, tag=tag, digest=None)

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_reference(text: str) -> Reference:
    """Parse a reference the way docker and skopeo do; raises RegistryError when malformed."""
    original = text
    text = text.strip()
    for scheme in ("docker://", "registry:"):
        text = text.removeprefix(scheme)
    digest = None
    if "@" in text:
        text, _, raw_digest = text.partition("@")
        if not _DIGEST.match(raw_digest):
            raise RegistryError(f"{original!r}: {raw_digest!r} is not a digest (expected sha256:<64 hex>)")
        digest = Digest(raw_digest)
    first, slash, rest = text.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost" or first.startswith("[")):
        registry, remainder = first, rest
        if not _HOST.match(registry):
            raise RegistryError(f"{original!r}: {registry!r} is not a valid registry host[:port]")
    else:
        registry, remainder = DOCKER_HUB, text
    tag = None
    name, colon, maybe_tag = remainder.rpartition(":")
    if colon and "/" not in maybe_tag:
        remainder, tag = name, maybe_tag
        if not _TAG.match(tag):
            raise RegistryError(f"{original!r}: {tag!r} is not a valid tag")
    if registry in ("index.docker.io", "registry-1.docker.io"):
        registry = DOCKER_HUB
    if registry == DOCKER_HUB and "/" not in remainder:
        remainder = f"library/{remainder}"
    if not _REPOSITORY.match(remainder):
        raise RegistryError(
            f"{original!r}: {remainder!r} is not a valid repository name "
            "(lowercase letters, digits and . _ - separated by /)"
        )
    return Reference(registry=registry.lower(), repository=remainder, tag=tag, digest=digest)


def parse_registry_url(text: str) -> tuple[str, str | None]:
    """`https://host:port/` or `host:port` -> (host:port, scheme or None)."""
    scheme = None
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            scheme, text = prefix[:-3], text[len(prefix) :]
    host = text.split("/", 1)[0]
    if not host or not _HOST.match(host):
        raise RegistryError(f"{text!r}: expected a registry URL such as https://registry.example:5000")
    return host.lower(), scheme
