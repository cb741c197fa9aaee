"""Registry notifications (distribution's `events.v1` envelopes), parsed into the pushes to scan."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from hullguard.errors import Error

MEDIA_TYPE = "application/vnd.docker.distribution.events.v1+json"
MANIFEST_TYPES = frozenset({
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
})
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_REPOSITORY = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*")
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_SIGNATURE_TAG = re.compile(r"sha256-[0-9a-f]{64}\.(sig|att|sbom)")
MAX_EVENTS = 1000


class EventError(Error):
    """A notification that is not a well-formed envelope."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Push:
    host: str
    repository: str
    digest: str
    tag: str | None

    @property
    def target(self) -> str:
        return f"{self.host}/{self.repository}@{self.digest}"

    @property
    def ref(self) -> str:
        return f"{self.host}/{self.repository}:{self.tag}" if self.tag else self.target


def parse_envelope(doc: Any) -> tuple[list[Push], int]:
    """The manifest pushes in an envelope, and how many events were not (blob pushes, pulls, deletes,
    signature tags). A malformed event fails the whole envelope, naming the event."""
    if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
        raise EventError('expected a JSON object with an "events" list (a registry notification envelope)')
    events = doc["events"]
    if len(events) > MAX_EVENTS:
        raise EventError(f"{len(events)} events in one envelope; at most {MAX_EVENTS}")
    pushes: list[Push] = []
    for index, event in enumerate(events):
        push = _parse_event(event, f"events[{index}]")
        if push is not None:
            pushes.append(push)
    return pushes, len(events) - len(pushes)


def _parse_event(event: Any, where: str) -> Push | None:
    if not isinstance(event, dict) or not isinstance(event.get("action"), str):
        raise EventError(f'{where}: expected an object with an "action"')
    target = event.get("target")
    if not isinstance(target, dict):
        raise EventError(f'{where}: expected a "target" object')
    if event["action"] != "push" or target.get("mediaType") not in MANIFEST_TYPES:
        return None
    digest, repository, tag = target.get("digest"), target.get("repository"), target.get("tag")
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise EventError(f"{where}.target.digest: expected sha256:<64 hex>, got {str(digest)[:80]!r}")
    if not isinstance(repository, str) or not _REPOSITORY.fullmatch(repository) or len(repository) > 255:
        raise EventError(f"{where}.target.repository: not a repository name: {str(repository)[:80]!r}")
    if tag is not None and (not isinstance(tag, str) or not _TAG.fullmatch(tag)):
        raise EventError(f"{where}.target.tag: not a tag: {str(tag)[:80]!r}")
    if tag is not None and _SIGNATURE_TAG.fullmatch(tag):
        return None  # a cosign signature or attestation, not an image
    return Push(host=_host(event, target, where), repository=repository, digest=digest, tag=tag)


def _host(event: dict[str, Any], target: dict[str, Any], where: str) -> str:
    url = target.get("url")
    host = urlsplit(url).netloc if isinstance(url, str) else ""
    if not host:
        request = event.get("request")
        host = request.get("host", "") if isinstance(request, dict) else ""
    if not isinstance(host, str) or not re.fullmatch(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9a-fA-F:]+\](:\d{1,5})?", host):
        raise EventError(f"{where}: no registry host in target.url or request.host")
    return host
