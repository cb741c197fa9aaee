"""Checking signature and attestation layers against a key and an image digest (no network)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from hullguard.model import Digest
from hullguard.signing import keyless, keys, legacy
from hullguard.signing.dsse import INTOTO_PAYLOAD_TYPE, Statement, parse_envelope, parse_statement
from hullguard.signing.errors import SigningError, VerificationFailed
from hullguard.signing.layout import SIGNATURE_ANNOTATION, Layer
from hullguard.signing.payload import SimpleSigning, parse_payload


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedSignature:
    layer: Digest
    payload: SimpleSigning


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedAttestation:
    layer: Digest
    statement: Statement


@dataclass(frozen=True, slots=True, kw_only=True)
class KeylessPolicy:
    """Who must have signed, keyless: an identity under a trust root."""

    identity: keyless.Identity
    root: keyless.TrustRoot


Signer = keys.PublicKey | KeylessPolicy


def check_signature(
    layer: Layer, signer: Signer, image: Digest, required: Mapping[str, str], where: str
) -> VerifiedSignature:
    """One `.sig` layer: signature over the payload blob, the digest it names, the claims it makes."""
    encoded = layer.annotation(SIGNATURE_ANNOTATION)
    if not encoded:
        raise SigningError(f"{where}: no {SIGNATURE_ANNOTATION} annotation")
    try:
        signature = base64.b64decode(encoded, validate=True)
    except binascii.Error as e:
        raise SigningError(f"{where}: signature annotation is not base64") from e
    if isinstance(signer, KeylessPolicy):
        if not legacy.is_keyless(layer):
            raise SigningError(f"{where}: signed with a key, not keyless (no certificate)")
        legacy.check_keyless_layer(layer, signature, signer.identity, signer.root, where)
    elif not keys.verify(signer, signature, layer.blob):
        raise SigningError(
            f"{where}: signature does not match the payload with this key (wrong key, or tampered)"
        )
    payload = parse_payload(layer.blob, where)
    if payload.digest != image:
        raise SigningError(f"{where}: the signed payload names {payload.digest}, but the image is {image}")
    claims = payload.claims()
    missing = [f"{k}={v}" for k, v in sorted(required.items()) if claims.get(k) != v]
    if missing:
        have = ", ".join(f"{k}={v}" for k, v in sorted(claims.items())) or "none"
        raise SigningError(
            f"{where}: annotation {', '.join(missing)} not in the signed payload (it has: {have})"
        )
    return VerifiedSignature(layer=layer.digest, payload=payload)


def verify_signatures(
    layers: tuple[Layer, ...], signer: Signer, image: Digest, required: Mapping[str, str], name: str
) -> tuple[VerifiedSignature, ...]:
    """Every layer that passes; VerificationFailed with each layer's reason when none does."""
    verified, reasons = [], []
    for number, layer in enumerate(layers, 1):
        try:
            verified.append(
                check_signature(layer, signer, image, required, f"signature {number} ({layer.digest[:19]})")
            )
        except SigningError as e:
            reasons.append(str(e))
    if not verified:
        raise VerificationFailed(f"{name}: no signature matches", tuple(reasons) or ("no signatures found",))
    return tuple(verified)


def check_attestation(
    layer: Layer, signer: Signer, image: Digest, predicate_type: str | None, where: str
) -> VerifiedAttestation:
    """One `.att` layer: the DSSE signature (over PAE) by a key, or keyless as cosign v2 wrote
    it (certificate and Rekor SET annotations); then the statement's subject and type."""
    if isinstance(signer, KeylessPolicy):
        if not legacy.is_keyless(layer):
            raise SigningError(f"{where}: signed with a key, not keyless (no certificate)")
        envelope = legacy.check_keyless_envelope(layer, signer.identity, signer.root, where)
    else:
        envelope = parse_envelope(layer.blob, where)
        if not envelope.verified_by(signer):
            raise SigningError(
                f"{where}: DSSE signature does not match with this key (wrong key, or tampered)"
            )
    if envelope.payload_type != INTOTO_PAYLOAD_TYPE:
        raise SigningError(f"{where}: payload type {envelope.payload_type!r} is not {INTOTO_PAYLOAD_TYPE!r}")
    statement = parse_statement(envelope.payload, where)
    if not statement.names_digest(image):
        named = ", ".join(f"{a}:{v}" for _, d in statement.subjects for a, v in d) or "nothing"
        raise SigningError(f"{where}: the statement's subject is {named}, but the image is {image}")
    if predicate_type and statement.predicate_type != predicate_type:
        raise SigningError(f"{where}: predicate type is {statement.predicate_type}, not {predicate_type}")
    return VerifiedAttestation(layer=layer.digest, statement=statement)


def verify_attestations(
    layers: tuple[Layer, ...], signer: Signer, image: Digest, predicate_type: str | None, name: str
) -> tuple[VerifiedAttestation, ...]:
    verified, reasons = [], []
    for number, layer in enumerate(layers, 1):
        try:
            verified.append(check_attestation(layer, signer, image, predicate_type, f"attestation {number}"))
        except SigningError as e:
            reasons.append(str(e))
    if not verified:
        raise VerificationFailed(
            f"{name}: no attestation matches", tuple(reasons) or ("no attestations found",)
        )
    return tuple(verified)


def check_key_bundle(
    bundle_json: bytes, key: keys.PublicKey, image: Digest, where: str, predicate_type: str | None = None
) -> VerifiedAttestation:
    """A cosign v3 bundle signed with a key: its DSSE envelope and the statement's subject.
    The transparency-log entry is not checked (as `cosign verify --insecure-ignore-tlog`)."""
    try:
        envelope = json.loads(bundle_json)["dsseEnvelope"]
    except (ValueError, KeyError, TypeError) as e:
        raise SigningError(f"{where}: not a Sigstore bundle with a DSSE envelope") from e
    blob = json.dumps(envelope).encode()
    return check_attestation(
        Layer(media_type="application/vnd.dev.sigstore.bundle.v0.3+json", blob=blob),
        key,
        image,
        predicate_type,
        where,
    )


def check_keyless_bundle(
    bundle_json: bytes,
    identity: keyless.Identity,
    root: keyless.TrustRoot,
    image: Digest,
    where: str,
    predicate_type: str | None = None,
) -> VerifiedAttestation:
    """A keyless cosign v3 bundle: Sigstore verification, then the statement's subject."""
    result = keyless.verify_bundle(bundle_json, identity, root, where=where)
    if result.payload is None or result.payload_type != INTOTO_PAYLOAD_TYPE:
        raise SigningError(f"{where}: the bundle does not carry an in-toto statement")
    statement = parse_statement(result.payload, where)
    if not statement.names_digest(image):
        raise SigningError(f"{where}: the bundle's statement does not name {image}")
    if predicate_type and statement.predicate_type != predicate_type:
        raise SigningError(f"{where}: predicate type is {statement.predicate_type}, not {predicate_type}")
    return VerifiedAttestation(
        layer=Digest("sha256:" + hashlib.sha256(bundle_json).hexdigest()), statement=statement
    )


def check_key_message_bundle(bundle_json: bytes, key: keys.PublicKey, artifact: bytes, where: str) -> None:
    """A Sigstore bundle whose message signature was made with a key (no certificate): the digest
    it records is the artifact's, and the signature over the artifact verifies with `key`.
    The transparency-log entry is not checked (as `cosign verify-blob --insecure-ignore-tlog`)."""
    try:
        signature_doc = json.loads(bundle_json)["messageSignature"]
        recorded = signature_doc["messageDigest"]
        signature = base64.b64decode(signature_doc["signature"], validate=True)
        digest = base64.b64decode(recorded["digest"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error) as e:
        raise SigningError(f"{where}: not a Sigstore bundle with a message signature") from e
    if recorded.get("algorithm") != "SHA2_256" or digest != hashlib.sha256(artifact).digest():
        raise SigningError(f"{where}: the bundle records the digest of another artifact")
    if not keys.verify(key, signature, artifact):
        raise SigningError(
            f"{where}: signature does not match the artifact with this key (wrong key, or tampered)"
        )
