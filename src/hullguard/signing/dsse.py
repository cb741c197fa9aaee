"""DSSE envelopes (PAE signing) and the in-toto Statement v1 they carry."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from hullguard.signing import keys
from hullguard.signing.errors import SigningError
from hullguard.signing.payload import go_json

INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_V1 = "https://in-toto.io/Statement/v1"
STATEMENT_TYPES = frozenset({STATEMENT_V1, "https://in-toto.io/Statement/v0.1"})
# cosign's --type names and the predicate types they stand for.
PREDICATE_TYPES = {
    "cyclonedx": "https://cyclonedx.org/bom",
    "spdxjson": "https://spdx.dev/Document",
    "spdx": "https://spdx.dev/Document",
    "openvex": "https://openvex.dev/ns",
    "vuln": "https://cosign.sigstore.dev/attestation/vuln/v1",
    "slsaprovenance": "https://slsa.dev/provenance/v0.2",
    "custom": "https://cosign.sigstore.dev/attestation/v1",
}


def predicate_type(name: str) -> str:
    """A cosign --type name or a predicate type URI."""
    if name in PREDICATE_TYPES:
        return PREDICATE_TYPES[name]
    if "://" in name:
        return name
    raise SigningError(f"--type {name!r}: expected one of {', '.join(PREDICATE_TYPES)} or a URI")


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding: what is actually signed."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


@dataclass(frozen=True, slots=True, kw_only=True)
class Envelope:
    payload_type: str
    payload: bytes
    signatures: tuple[tuple[str, bytes], ...]
    """(keyid, signature) pairs."""

    def verified_by(self, key: keys.PublicKey) -> bool:
        message = pae(self.payload_type, self.payload)
        return any(keys.verify(key, sig, message) for _, sig in self.signatures)

    def to_json(self) -> bytes:
        return go_json(
            {
                "payloadType": self.payload_type,
                "payload": base64.b64encode(self.payload).decode(),
                "signatures": [{"keyid": k, "sig": base64.b64encode(s).decode()} for k, s in self.signatures],
            }
        )


def sign_envelope(key: keys.PrivateKey, payload: bytes, payload_type: str = INTOTO_PAYLOAD_TYPE) -> Envelope:
    return Envelope(
        payload_type=payload_type,
        payload=payload,
        signatures=(("", keys.sign(key, pae(payload_type, payload))),),
    )


def parse_envelope(raw: bytes, where: str) -> Envelope:
    try:
        doc = json.loads(raw)
        payload = base64.b64decode(doc["payload"], validate=True)
        signatures = tuple(
            (str(s.get("keyid") or ""), base64.b64decode(s["sig"], validate=True)) for s in doc["signatures"]
        )
        payload_type = str(doc["payloadType"])
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as e:
        raise SigningError(f"{where}: not a DSSE envelope: {e!r}") from e
    if not signatures:
        raise SigningError(f"{where}: DSSE envelope has no signatures")
    return Envelope(payload_type=payload_type, payload=payload, signatures=signatures)


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    predicate_type: str
    subjects: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    """(name, ((algorithm, hex), ...)) per subject."""
    predicate: Any

    def names_digest(self, digest: str) -> bool:
        algorithm, _, value = digest.partition(":")
        return any((algorithm, value) in digests for _, digests in self.subjects)


def make_statement(subject: str, digest: str, predicate_type: str, predicate: Any) -> bytes:
    algorithm, _, value = digest.partition(":")
    return go_json(
        {
            "_type": STATEMENT_V1,
            "subject": [{"name": subject, "digest": {algorithm: value}}],
            "predicateType": predicate_type,
            "predicate": predicate,
        }
    )


def parse_statement(raw: bytes, where: str) -> Statement:
    try:
        doc = json.loads(raw)
        kind = doc["_type"]
        subjects = tuple(
            (
                str(s.get("name", "")),
                tuple(sorted((str(a), str(v)) for a, v in (s.get("digest") or {}).items())),
            )
            for s in doc.get("subject") or ()
        )
        result = Statement(
            predicate_type=str(doc["predicateType"]), subjects=subjects, predicate=doc.get("predicate")
        )
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise SigningError(f"{where}: not an in-toto statement: {e!r}") from e
    if kind not in STATEMENT_TYPES:
        raise SigningError(f"{where}: statement _type {kind!r} is not an in-toto Statement")
    return result
