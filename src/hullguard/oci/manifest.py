"""OCI and Docker v2 manifests and indexes, parsed at the boundary into typed values."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from hullguard.errors import SourceError
from hullguard.model import Digest

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)
MANIFEST_TYPES = (OCI_MANIFEST, DOCKER_MANIFEST)
LAYER_TYPES = frozenset(
    {
        "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.docker.image.rootfs.diff.tar",
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    }
)
REF_NAME = "org.opencontainers.image.ref.name"
_DIGEST = re.compile(r"^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$")


def check_digest(value: object, where: str) -> Digest:
    if not isinstance(value, str) or not _DIGEST.match(value):
        raise SourceError(f"{where}: {value!r} is not a valid digest (expected sha256:<64 hex>)")
    return Digest(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class Platform:
    os: str
    architecture: str
    variant: str | None = None

    @classmethod
    def parse(cls, text: str) -> Platform:
        parts = text.split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise SourceError(f"--platform {text!r}: expected os/arch[/variant], e.g. linux/amd64")
        return cls(os=parts[0], architecture=parts[1], variant=parts[2] if len(parts) == 3 else None)

    def matches(self, other: Platform) -> bool:
        if (self.os, self.architecture) != (other.os, other.architecture):
            return False
        return self.variant is None or other.variant is None or self.variant == other.variant

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)


@dataclass(frozen=True, slots=True, kw_only=True)
class Descriptor:
    media_type: str
    digest: Digest
    size: int
    annotations: tuple[tuple[str, str], ...] = ()
    platform: Platform | None = None

    def annotation(self, key: str) -> str | None:
        return dict(self.annotations).get(key)

    @classmethod
    def parse(cls, doc: Any, where: str) -> Descriptor:
        if not isinstance(doc, dict):
            raise SourceError(f"{where}: descriptor is not an object")
        plat = doc.get("platform")
        return cls(
            media_type=str(doc.get("mediaType", "")),
            digest=check_digest(doc.get("digest"), where),
            size=int(doc.get("size", 0) or 0),
            annotations=tuple(sorted((str(k), str(v)) for k, v in (doc.get("annotations") or {}).items())),
            platform=(
                Platform(
                    os=str(plat.get("os", "")),
                    architecture=str(plat.get("architecture", "")),
                    variant=plat.get("variant"),
                )
                if isinstance(plat, dict)
                else None
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Manifest:
    media_type: str
    config: Descriptor
    layers: tuple[Descriptor, ...]
    annotations: tuple[tuple[str, str], ...] = ()
    subject: Descriptor | None = None
    artifact_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Index:
    media_type: str
    manifests: tuple[Descriptor, ...]


def parse_json(raw: bytes, where: str) -> dict[str, Any]:
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SourceError(f"{where}: not valid JSON: {e}") from e
    if not isinstance(doc, dict):
        raise SourceError(f"{where}: expected a JSON object")
    return doc


def parse_any(raw: bytes, where: str, media_type: str | None = None) -> Manifest | Index:
    doc = parse_json(raw, where)
    kind = str(doc.get("mediaType") or media_type or "")
    if kind in INDEX_TYPES or (not kind and "manifests" in doc):
        return Index(
            media_type=kind or OCI_INDEX,
            manifests=tuple(Descriptor.parse(d, where) for d in doc.get("manifests") or ()),
        )
    if kind in MANIFEST_TYPES or (not kind and "layers" in doc):
        if doc.get("schemaVersion") not in (2, None):
            raise SourceError(f"{where}: unsupported manifest schemaVersion {doc.get('schemaVersion')!r}")
        subject = doc.get("subject")
        return Manifest(
            media_type=kind or OCI_MANIFEST,
            config=Descriptor.parse(doc.get("config"), f"{where} config"),
            layers=tuple(Descriptor.parse(d, f"{where} layer") for d in doc.get("layers") or ()),
            annotations=tuple(sorted((str(k), str(v)) for k, v in (doc.get("annotations") or {}).items())),
            subject=Descriptor.parse(subject, f"{where} subject") if subject else None,
            artifact_type=doc.get("artifactType"),
        )
    raise SourceError(f"{where}: unknown manifest media type {kind!r}")


def check_layers(manifest: Manifest, where: str) -> None:
    for layer in manifest.layers:
        if layer.media_type not in LAYER_TYPES:
            raise SourceError(
                f"{where}: layer {layer.digest} has media type {layer.media_type!r}, which is not an image "
                "layer (is this a signature, attestation or other artifact?)"
            )


def pick_platform(index: Index, platform: Platform, where: str) -> Descriptor:
    """The manifest for `platform` from an index; attestation manifests are never picked."""
    candidates = [
        d
        for d in index.manifests
        if d.annotation("vnd.docker.reference.type") != "attestation-manifest"
        and (d.platform is None or platform.matches(d.platform))
    ]
    exact = [d for d in candidates if d.platform is not None]
    chosen = exact or candidates
    if not chosen:
        have = ", ".join(str(d.platform) for d in index.manifests if d.platform) or "none"
        raise SourceError(f"{where}: no manifest for platform {platform} (available: {have})")
    return chosen[0]
