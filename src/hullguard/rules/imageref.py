"""Image references as Dockerfiles, manifests and Compose files write them, and the OS a tag implies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from hullguard.analyzers.eol import lookup_eol

DEBIAN = {
    "wheezy": "7",
    "jessie": "8",
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
}
UBUNTU = {
    "trusty": "14.04", "xenial": "16.04", "bionic": "18.04", "focal": "20.04", "jammy": "22.04",
    "lunar": "23.04", "mantic": "23.10", "noble": "24.04", "oracular": "24.10", "plucky": "25.04", "questing": "25.10",
}  # fmt: skip
ALPINE_IN_TAG = re.compile(r"alpine(\d+\.\d+)")


@dataclass(frozen=True, slots=True)
class ImageRef:
    registry: str | None
    repository: str
    tag: str | None
    digest: str | None

    @property
    def unresolved(self) -> bool:
        """Still holds a build variable (`${BASE}`): nothing can be said about it."""
        return "$" in self.repository or "$" in (self.tag or "")


def parse_ref(text: str) -> ImageRef:
    name, _, digest = text.partition("@")
    registry = None
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, name = first, rest
    repo, colon, tag = name.rpartition(":")
    if not colon or "/" in tag:
        repo, tag = name, ""
    return ImageRef(registry, repo, tag or None, digest or None)


def os_of(ref: ImageRef) -> tuple[str, str] | None:
    """(family, release) that an official image tag names, e.g. python:3.9-alpine3.14 → alpine 3.14."""
    repo = ref.repository.removeprefix("library/").removeprefix("docker.io/")
    tag = (ref.tag or "").lower()
    if repo == "alpine" and (m := re.match(r"(\d+\.\d+)", tag)):
        return ("alpine", m.group(1))
    if repo == "debian" and (m := re.match(r"(\d+)", tag)):
        return ("debian", m.group(1))
    if repo == "ubuntu" and (m := re.match(r"(\d+\.\d+)", tag)):
        return ("ubuntu", m.group(1))
    if repo == "centos" and (m := re.match(r"(?:centos)?(\d+)", tag)):
        return ("centos", m.group(1))
    if m := ALPINE_IN_TAG.search(tag):
        return ("alpine", m.group(1))
    for word in re.split(r"[-_.]", tag):
        if word in DEBIAN:
            return ("debian", DEBIAN[word])
        if word in UBUNTU:
            return ("ubuntu", UBUNTU[word])
    return None


def end_of_life(ref: ImageRef, today: date | None = None) -> tuple[str, str, date | None] | None:
    """(family, release, date) when the image's OS release is past its end of life."""
    found = os_of(ref)
    if found is None:
        return None
    verdict = lookup_eol(found[0], found[1], today)
    if verdict is None or not verdict[0]:
        return None
    return (found[0], found[1], verdict[1])
