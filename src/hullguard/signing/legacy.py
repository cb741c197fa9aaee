"""Keyless `.sig` layers as cosign v1/v2 wrote them: Fulcio certificate, chain and a Rekor SET.

sigstore-python cannot take these: its bundles need a Merkle inclusion proof, and these carry
only Rekor's signed entry timestamp (SET). So the checks cosign made are done here, each with
`cryptography`: the SET over the canonical entry with the trust root's Rekor key; the entry's
consistency with the signature, payload and certificate (CVE-2022-36056); the certificate chain
to the trust root's Fulcio CAs at the log's integrated time; the code-signing profile; the
embedded SCT against the trust root's CT logs; the identity (sigstore-python's own
`policy.Identity`); and the signature over the payload.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from hullguard.signing import keys
from hullguard.signing.dsse import Envelope, pae, parse_envelope
from hullguard.signing.errors import SigningError
from hullguard.signing.keyless import Identity, TrustRoot
from hullguard.signing.layout import CERTIFICATE_ANNOTATION, CHAIN_ANNOTATION, REKOR_BUNDLE_ANNOTATION, Layer

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class RekorEntry:
    body: dict[str, Any]
    integrated_time: datetime
    log_index: int


def is_keyless(layer: Layer) -> bool:
    return layer.annotation(CERTIFICATE_ANNOTATION) is not None


def _certificates(layer: Layer, where: str) -> tuple[x509.Certificate, list[x509.Certificate]]:
    try:
        leaf = x509.load_pem_x509_certificate((layer.annotation(CERTIFICATE_ANNOTATION) or "").encode())
        chain_pem = layer.annotation(CHAIN_ANNOTATION)
        return leaf, x509.load_pem_x509_certificates(chain_pem.encode()) if chain_pem else []
    except ValueError as e:
        raise SigningError(f"{where}: certificate annotations are not PEM certificates: {e}") from e


def _rekor_bundle(layer: Layer, root: TrustRoot, where: str) -> RekorEntry:
    bundle = layer.annotation(REKOR_BUNDLE_ANNOTATION)
    if not bundle:
        raise SigningError(
            f"{where}: no {REKOR_BUNDLE_ANNOTATION}: a keyless signature needs its Rekor entry offline"
        )
    try:
        doc = json.loads(bundle)
        payload = doc["Payload"]
        return verify_promise(
            body=payload["body"],
            integrated_time=int(payload["integratedTime"]),
            log_id=bytes.fromhex(payload["logID"]),
            log_index=int(payload["logIndex"]),
            signed_entry_timestamp=base64.b64decode(doc["SignedEntryTimestamp"], validate=True),
            root=root,
            where=where,
        )
    except (ValueError, KeyError, TypeError, binascii.Error) as e:
        raise SigningError(f"{where}: the Rekor bundle is malformed: {e!r}") from e


def check_keyless_layer(
    layer: Layer, signature: bytes, identity: Identity, root: TrustRoot, where: str
) -> None:
    """A `.sig` layer: raise SigningError unless `layer` was signed by `identity` under `root`."""
    leaf, chain = _certificates(layer, where)
    entry = _rekor_bundle(layer, root, where)
    verify_keyless(layer.blob, signature, leaf, chain, entry, identity, root, where)


def check_keyless_envelope(layer: Layer, identity: Identity, root: TrustRoot, where: str) -> Envelope:
    """An `.att` layer (DSSE envelope) signed keyless by `identity`; returns the envelope."""
    envelope = parse_envelope(layer.blob, where)
    leaf, chain = _certificates(layer, where)
    entry = _rekor_bundle(layer, root, where)
    verify_keyless(
        envelope.payload,
        envelope.signatures[0][1],
        leaf,
        chain,
        entry,
        identity,
        root,
        where,
        envelope.payload_type,
    )
    return envelope


def verify_keyless(
    message: bytes,
    signature: bytes,
    leaf: x509.Certificate,
    chain: list[x509.Certificate],
    entry: RekorEntry,
    identity: Identity,
    root: TrustRoot,
    where: str,
    dsse_type: str | None = None,
) -> None:
    """Everything but the SET, which `entry` already passed: consistency, chain at log time,
    SCT, identity, and the signature (over PAE when `dsse_type` is given)."""
    check_entry(entry, message, signature, leaf, where)
    issuer = check_chain(leaf, chain, root, entry.integrated_time, where)
    check_sct(leaf, issuer, root, where)
    check_identity(leaf, identity, where)
    public = leaf.public_key()
    signed = pae(dsse_type, message) if dsse_type is not None else message
    if not isinstance(public, ec.EllipticCurvePublicKey) or not keys.verify(public, signature, signed):
        raise SigningError(f"{where}: signature does not match the payload with the certificate's key")


def verify_promise(
    *,
    body: str,
    integrated_time: int,
    log_id: bytes,
    log_index: int,
    signed_entry_timestamp: bytes,
    root: TrustRoot,
    where: str,
) -> RekorEntry:
    """The Rekor entry, once its signed entry timestamp checks out against a trusted log key."""
    canonical = json.dumps(
        {"body": body, "integratedTime": integrated_time, "logID": log_id.hex(), "logIndex": log_index},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    integrated = datetime.fromtimestamp(integrated_time, UTC)
    try:
        parsed = json.loads(base64.b64decode(body, validate=True))
    except (ValueError, binascii.Error) as e:
        raise SigningError(f"{where}: the Rekor entry body is not base64 JSON") from e
    for log in root.document.get("tlogs") or ():
        if base64.b64decode(log["logId"]["keyId"]) != log_id or not _valid_at(log["publicKey"], integrated):
            continue
        key = serialization.load_der_public_key(base64.b64decode(log["publicKey"]["rawBytes"]))
        if not isinstance(key, ec.EllipticCurvePublicKey):
            continue
        try:
            key.verify(signed_entry_timestamp, canonical, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise SigningError(f"{where}: Rekor's signed entry timestamp does not verify") from None
        return RekorEntry(body=parsed, integrated_time=integrated, log_index=log_index)
    raise SigningError(f"{where}: the Rekor log {log_id.hex()[:16]}… is not in the trusted root")


def check_entry(
    entry: RekorEntry, payload: bytes, signature: bytes, leaf: x509.Certificate, where: str
) -> None:
    """The log entry must record this very payload, signature and certificate: a hashedrekord
    (payload hash) or, for DSSE, an intoto 0.0.2 entry (payload hash; its signatures are
    base64 of the envelope's base64). The intoto envelope hash cannot be recomputed (Rekor
    hashed the JSON as submitted), so it is not compared, as in sigstore-python."""
    body = entry.body
    kind = (body.get("kind"), body.get("apiVersion"))
    try:
        spec = body["spec"]
        if kind == ("hashedrekord", "0.0.1"):
            recorded_hash = spec["data"]["hash"]
            pairs = [
                (base64.b64decode(spec["signature"]["content"]), spec["signature"]["publicKey"]["content"])
            ]
        elif kind == ("intoto", "0.0.2"):
            recorded_hash = spec["content"]["payloadHash"]
            pairs = [
                (base64.b64decode(base64.b64decode(s["sig"])), s["publicKey"])
                for s in spec["content"]["envelope"]["signatures"]
            ]
        else:
            raise SigningError(f"{where}: Rekor entry kind {kind[0]}/{kind[1]} is not supported")
        recorded = [(sig, x509.load_pem_x509_certificate(base64.b64decode(cert))) for sig, cert in pairs]
    except (KeyError, TypeError, ValueError, binascii.Error) as e:
        raise SigningError(f"{where}: the Rekor entry is malformed: {e!r}") from e
    if (
        recorded_hash.get("algorithm") != "sha256"
        or recorded_hash.get("value") != hashlib.sha256(payload).hexdigest()
    ):
        raise SigningError(f"{where}: the Rekor entry records another payload")
    if not any(sig == signature for sig, _ in recorded):
        raise SigningError(f"{where}: the Rekor entry records another signature")
    if not any(sig == signature and cert == leaf for sig, cert in recorded):
        raise SigningError(f"{where}: the Rekor entry records another certificate")


def check_chain(
    leaf: x509.Certificate, chain: list[x509.Certificate], root: TrustRoot, when: datetime, where: str
) -> x509.Certificate:
    """The certificate chains to a Fulcio CA of the trust root, all valid at `when`; returns the
    certificate that issued it."""
    anchors = [
        x509.load_der_x509_certificate(base64.b64decode(c["rawBytes"]))
        for ca in root.document.get("certificateAuthorities") or ()
        if _valid_at(ca, when)
        for c in ca["certChain"]["certificates"]
    ]
    if not anchors:
        raise SigningError(f"{where}: the trusted root has no Fulcio CA valid at {when:%Y-%m-%d %H:%M:%S}Z")
    # Fulcio leaves carry code-signing, not client-auth: allow EKU and check it ourselves below.
    ca_policy = ExtensionPolicy.webpki_defaults_ca().may_be_present(
        x509.ExtendedKeyUsage, Criticality.NON_CRITICAL, None
    )
    ee_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.ExtendedKeyUsage, Criticality.NON_CRITICAL, None
    )
    verifier = (
        PolicyBuilder()
        .store(Store(anchors))
        .time(when)
        .extension_policies(ca_policy=ca_policy, ee_policy=ee_policy)
        .build_client_verifier()
    )
    try:
        issuer = verifier.verify(leaf, chain).chain[1]
    except (VerificationError, x509.UnsupportedGeneralNameType) as e:
        raise SigningError(
            f"{where}: the certificate does not chain to a trusted Fulcio CA at signing time: {e}"
        ) from e
    try:
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
        extended = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound as e:
        raise SigningError(f"{where}: the certificate lacks {e.oid._name}") from e
    if not usage.digital_signature or ExtendedKeyUsageOID.CODE_SIGNING not in extended:
        raise SigningError(f"{where}: the certificate is not a code-signing certificate")
    return issuer


def check_sct(leaf: x509.Certificate, issuer: x509.Certificate, root: TrustRoot, where: str) -> None:
    """An embedded SCT from a CT log of the trust root signs this precertificate (RFC 6962 3.2)."""
    try:
        scts = leaf.extensions.get_extension_for_class(x509.PrecertificateSignedCertificateTimestamps).value
    except x509.ExtensionNotFound:
        raise SigningError(
            f"{where}: the certificate carries no SCT from a certificate transparency log"
        ) from None
    logs = {base64.b64decode(log["logId"]["keyId"]): log for log in root.document.get("ctlogs") or ()}
    tbs = leaf.tbs_precertificate_bytes
    issuer_key_hash = hashlib.sha256(
        issuer.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ).digest()
    for sct in scts:
        log = logs.get(sct.log_id)
        if log is None or sct.entry_type != x509.certificate_transparency.LogEntryType.PRE_CERTIFICATE:
            continue
        millis = (sct.timestamp.replace(tzinfo=UTC) - EPOCH) // timedelta(milliseconds=1)
        signed = (
            b"\x00\x00"  # version v1, signature type certificate_timestamp
            + millis.to_bytes(8, "big")
            + b"\x00\x01"  # entry type precert_entry
            + issuer_key_hash
            + len(tbs).to_bytes(3, "big")
            + tbs
            + len(sct.extension_bytes).to_bytes(2, "big")
            + sct.extension_bytes
        )
        key = serialization.load_der_public_key(base64.b64decode(log["publicKey"]["rawBytes"]))
        if isinstance(key, ec.EllipticCurvePublicKey) and keys.verify(key, sct.signature, signed):
            return
    raise SigningError(f"{where}: no SCT in the certificate verifies with a CT log of the trusted root")


def check_identity(leaf: x509.Certificate, identity: Identity, where: str) -> None:
    from sigstore.errors import VerificationError as PolicyError

    from hullguard.signing import identity_match

    try:
        identity_match.policy(identity).verify(leaf)
    except PolicyError as e:
        raise SigningError(f"{where}: {e}") from e


def _valid_at(item: dict[str, Any], when: datetime) -> bool:
    window = item.get("validFor") or {}
    start, end = window.get("start"), window.get("end")
    return (start is None or _time(start) <= when) and (end is None or when <= _time(end))


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def needs_promise_path(bundle: dict[str, Any]) -> bool:
    """Bundles sigstore-python 4 refuses although Sigstore clients made them: an inclusion
    promise without a proof (v0.1), or an `intoto` log entry (npm provenance, cosign v2)."""
    try:
        entry = bundle["verificationMaterial"]["tlogEntries"][0]
    except (KeyError, IndexError, TypeError):
        return False
    return bool(entry.get("inclusionPromise")) and (
        not entry.get("inclusionProof") or (entry.get("kindVersion") or {}).get("kind") == "intoto"
    )


def verify_bundle_by_promise(
    bundle: dict[str, Any], identity: Identity, root: TrustRoot, artifact: bytes | None, where: str
) -> tuple[str | None, bytes | None]:
    """Verify such a bundle on its inclusion promise (SET), as cosign v1/v2 did; returns the DSSE
    payload type and payload, or (None, None) for a message signature over `artifact`."""
    try:
        material = bundle["verificationMaterial"]
        raw_certs = (
            [c["rawBytes"] for c in material["x509CertificateChain"]["certificates"]]
            if "x509CertificateChain" in material
            else [material["certificate"]["rawBytes"]]
        )
        leaf, *chain = (x509.load_der_x509_certificate(base64.b64decode(c)) for c in raw_certs)
        tlog = material["tlogEntries"][0]
        entry = verify_promise(
            body=tlog["canonicalizedBody"],
            integrated_time=int(tlog["integratedTime"]),
            log_id=base64.b64decode(tlog["logId"]["keyId"]),
            log_index=int(tlog["logIndex"]),
            signed_entry_timestamp=base64.b64decode(tlog["inclusionPromise"]["signedEntryTimestamp"]),
            root=root,
            where=where,
        )
        if "dsseEnvelope" in bundle:
            envelope = parse_envelope(json.dumps(bundle["dsseEnvelope"]).encode(), where)
            signature, message, kind = envelope.signatures[0][1], envelope.payload, envelope.payload_type
        else:
            recorded = bundle["messageSignature"]
            signature, kind = base64.b64decode(recorded["signature"]), None
            if artifact is None:
                raise SigningError(f"{where}: a message-signature bundle needs the artifact it signs")
            if base64.b64decode(recorded["messageDigest"]["digest"]) != hashlib.sha256(artifact).digest():
                raise SigningError(f"{where}: the bundle records the digest of another artifact")
            message = artifact
    except (KeyError, IndexError, TypeError, ValueError, binascii.Error) as e:
        raise SigningError(f"{where}: malformed Sigstore bundle: {e!r}") from e
    verify_keyless(message, signature, leaf, chain, entry, identity, root, where, kind)
    return kind, (message if kind is not None else None)
