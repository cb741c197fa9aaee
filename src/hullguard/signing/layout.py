"""How cosign lays signatures and attestations out in a registry: tags, media types, manifests."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from hullguard.model import Digest
from hullguard.oci.manifest import OCI_MANIFEST
from hullguard.signing.errors import SigningError

SIGNATURE_LAYER = "application/vnd.dev.cosign.simplesigning.v1+json"
ATTESTATION_LAYER = "application/vnd.dsse.envelope.v1+json"
CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json"
SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature"
CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate"
CHAIN_ANNOTATION = "dev.sigstore.cosign/chain"
REKOR_BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle"
PREDICATE_ANNOTATION = "predicateType"
BUNDLE_ARTIFACT_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
MAX_LAYERS = 1000


def tag_for(digest: Digest, suffix: str) -> str:
    """`sha256-<hex>.sig` / `.att`, or the bare referrers fallback tag when suffix is empty."""
    algorithm, _, value = digest.partition(":")
    return f"{algorithm}-{value}" + (f".{suffix}" if suffix else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Layer:
    """One signature or attestation: its blob and the annotations that travel with it."""

    media_type: str
    blob: bytes
    annotations: tuple[tuple[str, str], ...] = ()

    @property
    def digest(self) -> Digest:
        return Digest("sha256:" + hashlib.sha256(self.blob).hexdigest())

    def annotation(self, key: str) -> str | None:
        return dict(self.annotations).get(key)

    def same_as(self, other: Layer) -> bool:
        return self.digest == other.digest and self.annotations == other.annotations


@dataclass(frozen=True, slots=True, kw_only=True)
class Artifact:
    """The manifest and config blob to push for a list of layers."""

    manifest: bytes
    config: bytes

    @property
    def digest(self) -> Digest:
        return Digest("sha256:" + hashlib.sha256(self.manifest).hexdigest())


def _go(doc: object) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def build_artifact(layers: tuple[Layer, ...]) -> Artifact:
    """The image cosign builds on `empty.Image`: a zero-time config whose diff_ids are the layers."""
    if not layers:
        raise SigningError("a signature image needs at least one layer")
    if len(layers) > MAX_LAYERS:
        raise SigningError(f"{len(layers)} signatures on one image: refusing more than {MAX_LAYERS}")
    zero = "0001-01-01T00:00:00Z"
    config = _go(
        {
            "architecture": "",
            "created": zero,
            "history": [{"created": zero} for _ in layers],
            "os": "",
            "rootfs": {"type": "layers", "diff_ids": [layer.digest for layer in layers]},
            "config": {},
        }
    )
    manifest = _go(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": CONFIG_MEDIA_TYPE,
                "size": len(config),
                "digest": "sha256:" + hashlib.sha256(config).hexdigest(),
            },
            "layers": [
                {
                    "mediaType": layer.media_type,
                    "size": len(layer.blob),
                    "digest": layer.digest,
                    **({"annotations": dict(layer.annotations)} if layer.annotations else {}),
                }
                for layer in layers
            ],
        }
    )
    return Artifact(manifest=manifest, config=config)


def append(existing: tuple[Layer, ...], new: Layer) -> tuple[Layer, ...]:
    """cosign's append: the new layer goes last, unless the very same one is already there."""
    if any(layer.same_as(new) for layer in existing):
        return existing
    return (*existing, new)
