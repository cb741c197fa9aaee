"""Signing against a live registry: the registry client as a `Repository`, and the commands' flows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from hullguard.model import Digest
from hullguard.registry.client import RegistryClient
from hullguard.registry.errors import NotFound
from hullguard.registry.reference import DOCKER_HUB, Reference, parse_reference
from hullguard.registry.transport import RegistryOptions
from hullguard.signing import keyless, keys, oci
from hullguard.signing.errors import SigningError, VerificationFailed
from hullguard.signing.layout import ATTESTATION_LAYER, SIGNATURE_LAYER, Artifact, tag_for
from hullguard.signing.verify import (
    KeylessPolicy,
    Signer,
    VerifiedAttestation,
    VerifiedSignature,
    check_key_bundle,
    check_keyless_bundle,
    verify_attestations,
    verify_signatures,
)

SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1"
"""The predicate type of cosign v3's bundle-format image signatures."""


class RemoteRepository:
    """One repository of a registry, seen through `RegistryClient`."""

    def __init__(self, client: RegistryClient, ref: Reference) -> None:
        self.client = client
        self.ref = ref

    def get_manifest(self, tag_or_digest: str) -> bytes | None:
        target = (
            self.ref.with_digest(Digest(tag_or_digest))
            if ":" in tag_or_digest
            else self.ref.with_tag(tag_or_digest)
        )
        try:
            return self.client.get_manifest(target).raw
        except NotFound:
            return None

    def get_blob(self, digest: Digest, limit: int) -> bytes:
        return self.client.read_blob(self.ref.repository, digest, cap=limit)

    def put_blob(self, data: bytes) -> Digest:
        return self.client.push_blob(self.ref.repository, data)

    def put_manifest(self, tag: str, data: bytes, media_type: str) -> Digest:
        return self.client.put_manifest(self.ref.repository, tag, data, media_type)

    def referrers(self, digest: Digest) -> tuple[Digest, ...]:
        return tuple(r.digest for r in self.client.referrers(self.ref.repository, digest))


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """The image a command acts on: where it lives and the digest its tag resolved to, once."""

    ref: Reference
    digest: Digest
    repo: RemoteRepository

    @property
    def name(self) -> str:
        """The repository as cosign names it in payloads and statement subjects."""
        registry = "index.docker.io" if self.ref.registry == DOCKER_HUB else self.ref.registry
        return f"{registry}/{self.ref.repository}"

    @property
    def pinned(self) -> str:
        return f"{self.name}@{self.digest}"


@contextmanager
def open_target(image: str, options: RegistryOptions) -> Iterator[Target]:
    """Resolve IMAGE's tag to a digest first: everything after acts on that digest only."""
    ref = parse_reference(image)
    with RegistryClient.for_reference(ref, options) as client:
        digest = client.resolve(ref)
        yield Target(ref=ref, digest=digest, repo=RemoteRepository(client, ref))


def sign_image(target: Target, key: keys.PrivateKey, annotations: Mapping[str, str]) -> Artifact:
    return oci.sign(target.repo, key, target.name, target.digest, annotations)


def attest_image(target: Target, key: keys.PrivateKey, predicate_type: str, predicate: object) -> Artifact:
    return oci.attest(target.repo, key, target.name, target.digest, predicate_type, predicate)


@dataclass(frozen=True, slots=True, kw_only=True)
class Verification:
    signatures: tuple[VerifiedSignature, ...] = ()
    """Classic `.sig` signatures that passed."""
    bundles: tuple[VerifiedAttestation, ...] = ()
    """cosign v3 Sigstore-bundle signatures (referrers) that passed."""


def verify_image(
    target: Target,
    *,
    key: keys.PublicKey | None = None,
    identity: keyless.Identity | None = None,
    root: keyless.TrustRoot | None = None,
    annotations: Mapping[str, str] | None = None,
) -> Verification:
    """Signatures by `key` (classic `.sig`, or cosign v3 bundles), or keyless by `identity`
    (cosign v1/v2 `.sig` layers with certificate and Rekor SET, or cosign v3 bundles)."""
    reasons: list[str] = []
    signatures: tuple[VerifiedSignature, ...] = ()
    signer: Signer | None = key
    if signer is None and identity is not None and root is not None:
        signer = KeylessPolicy(identity=identity, root=root)
    if signer is not None:
        layers = oci.read_layers(target.repo, tag_for(target.digest, "sig"), SIGNATURE_LAYER)
        try:
            signatures = verify_signatures(layers, signer, target.digest, annotations or {}, target.pinned)
        except VerificationFailed as e:
            reasons += [r for r in e.reasons if r != "no signatures found"]
    bundles = []
    if not signatures and not annotations:  # bundles carry no simple-signing annotations to match
        for number, blob in enumerate(oci.read_bundles(target.repo, target.digest), 1):
            where = f"bundle {number}"
            try:
                if key is not None:
                    bundles.append(check_key_bundle(blob, key, target.digest, where, SIGN_PREDICATE))
                elif identity is not None and root is not None:
                    bundles.append(
                        check_keyless_bundle(blob, identity, root, target.digest, where, SIGN_PREDICATE)
                    )
            except SigningError as e:
                reasons.append(str(e))
    if not signatures and not bundles:
        raise VerificationFailed(
            f"{target.pinned}: no signature matches",
            tuple(reasons)
            or (f"no signatures found: no {tag_for(target.digest, 'sig')} tag and no Sigstore bundle",),
        )
    return Verification(signatures=signatures, bundles=tuple(bundles))


def verify_image_attestations(
    target: Target,
    *,
    key: keys.PublicKey | None = None,
    identity: keyless.Identity | None = None,
    root: keyless.TrustRoot | None = None,
    predicate_type: str | None = None,
) -> tuple[VerifiedAttestation, ...]:
    """Attestations by `key` or keyless by `identity`: `.att` layers (cosign v1/v2) and cosign v3
    bundles."""
    reasons: list[str] = []
    verified: list[VerifiedAttestation] = []
    signer: Signer | None = key
    if signer is None and identity is not None and root is not None:
        signer = KeylessPolicy(identity=identity, root=root)
    if signer is not None:
        layers = oci.read_layers(target.repo, tag_for(target.digest, "att"), ATTESTATION_LAYER)
        try:
            verified += verify_attestations(layers, signer, target.digest, predicate_type, target.pinned)
        except VerificationFailed as e:
            reasons += [r for r in e.reasons if r != "no attestations found"]
    for number, blob in enumerate(oci.read_bundles(target.repo, target.digest), 1):
        where = f"bundle {number}"
        try:
            if key is not None:
                found = check_key_bundle(blob, key, target.digest, where, predicate_type)
            elif identity is not None and root is not None:
                found = check_keyless_bundle(blob, identity, root, target.digest, where, predicate_type)
            else:
                continue
        except SigningError as e:
            reasons.append(str(e))
            continue
        if found.statement.predicate_type != SIGN_PREDICATE:  # that is a signature, not an attestation
            verified.append(found)
    if not verified:
        raise VerificationFailed(
            f"{target.pinned}: no attestation matches",
            tuple(reasons)
            or (f"no attestations found: no {tag_for(target.digest, 'att')} tag and no Sigstore bundle",),
        )
    return tuple(verified)
