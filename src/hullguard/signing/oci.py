"""Reading and writing cosign's signature, attestation and bundle artifacts in a registry."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Protocol

from hullguard.model import Digest
from hullguard.oci.manifest import OCI_MANIFEST, Manifest, parse_any
from hullguard.signing import dsse, keys
from hullguard.signing.errors import SigningError
from hullguard.signing.layout import (
    ATTESTATION_LAYER,
    BUNDLE_ARTIFACT_TYPE,
    PREDICATE_ANNOTATION,
    SIGNATURE_ANNOTATION,
    SIGNATURE_LAYER,
    Artifact,
    Layer,
    append,
    build_artifact,
    tag_for,
)
from hullguard.signing.payload import make_payload

MAX_BLOB = 16 * 1024 * 1024
MAX_TOTAL = 64 * 1024 * 1024
"""All signature or attestation blobs of one image, together: a hostile registry cannot make us
hold more than this however many layers it lists."""
MAX_REFERRERS = 100


class Repository(Protocol):
    """What signing needs from one repository of a registry."""

    def get_manifest(self, tag_or_digest: str) -> bytes | None:
        """The manifest's bytes, or None when there is none (404)."""

    def get_blob(self, digest: Digest, limit: int) -> bytes:
        """The blob, verified against `digest`, refusing more than `limit` bytes."""

    def put_blob(self, data: bytes) -> Digest: ...

    def put_manifest(self, tag: str, data: bytes, media_type: str) -> Digest: ...

    def referrers(self, digest: Digest) -> tuple[Digest, ...]:
        """Manifests whose subject is `digest` (referrers API, else the `sha256-<hex>` tag index)."""


def read_layers(repo: Repository, tag: str, media_type: str) -> tuple[Layer, ...]:
    """The layers of that kind in the manifest at `tag`; none when the tag does not exist."""
    raw = repo.get_manifest(tag)
    if raw is None:
        return ()
    where = f"manifest at tag {tag}"
    manifest = parse_any(raw, where, OCI_MANIFEST)
    if not isinstance(manifest, Manifest):
        raise SigningError(f"{where}: expected an image manifest, found an index")
    wanted = [d for d in manifest.layers if d.media_type == media_type]
    if sum(max(d.size, 0) for d in wanted) > MAX_TOTAL:
        raise SigningError(
            f"{where}: its layers add up to more than {MAX_TOTAL >> 20} MiB; refusing to read them"
        )
    return tuple(
        Layer(
            media_type=d.media_type,
            blob=repo.get_blob(d.digest, min(MAX_BLOB, max(d.size, 0))),
            annotations=d.annotations,
        )
        for d in wanted
    )


def push_layer(repo: Repository, tag: str, layer: Layer) -> Artifact:
    """Add `layer` to the artifact at `tag`, keeping what is there, and push blobs then manifest."""
    layers = append(read_layers(repo, tag, layer.media_type), layer)
    artifact = build_artifact(layers)
    for existing in layers:
        repo.put_blob(existing.blob)
    repo.put_blob(artifact.config)
    repo.put_manifest(tag, artifact.manifest, OCI_MANIFEST)
    return artifact


def signature_layer(
    key: keys.PrivateKey, reference: str, digest: Digest, annotations: Mapping[str, str]
) -> Layer:
    payload = make_payload(reference, digest, annotations)
    signature = base64.b64encode(keys.sign(key, payload)).decode()
    return Layer(media_type=SIGNATURE_LAYER, blob=payload, annotations=((SIGNATURE_ANNOTATION, signature),))


def attestation_layer(
    key: keys.PrivateKey, subject: str, digest: Digest, predicate_type: str, predicate: object
) -> Layer:
    statement = dsse.make_statement(subject, digest, predicate_type, predicate)
    envelope = dsse.sign_envelope(key, statement)
    return Layer(
        media_type=ATTESTATION_LAYER,
        blob=envelope.to_json(),
        annotations=((SIGNATURE_ANNOTATION, ""), (PREDICATE_ANNOTATION, predicate_type)),
    )


def sign(
    repo: Repository, key: keys.PrivateKey, reference: str, digest: Digest, annotations: Mapping[str, str]
) -> Artifact:
    return push_layer(repo, tag_for(digest, "sig"), signature_layer(key, reference, digest, annotations))


def attest(
    repo: Repository,
    key: keys.PrivateKey,
    subject: str,
    digest: Digest,
    predicate_type: str,
    predicate: object,
) -> Artifact:
    return push_layer(
        repo, tag_for(digest, "att"), attestation_layer(key, subject, digest, predicate_type, predicate)
    )


def read_bundles(repo: Repository, digest: Digest) -> tuple[bytes, ...]:
    """Sigstore bundles attached to `digest` as referrers (cosign v3's default layout). The index
    entry's artifactType is not trusted (cosign writes the config's); the manifest's is."""
    bundles = []
    for referrer in repo.referrers(digest)[:MAX_REFERRERS]:
        body = repo.get_manifest(referrer)
        if body is None:
            continue
        manifest = parse_any(body, f"referrer {referrer}", OCI_MANIFEST)
        if isinstance(manifest, Manifest) and manifest.artifact_type == BUNDLE_ARTIFACT_TYPE:
            bundles += [
                repo.get_blob(d.digest, MAX_BLOB)
                for d in manifest.layers
                if d.media_type == BUNDLE_ARTIFACT_TYPE
            ]
    return tuple(bundles)
