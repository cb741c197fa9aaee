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


def check_keyless_layer(
    layer: Layer, signature: bytes, identity: Identity, root: TrustRoot, where: str
) -> None:
    """Raise SigningError unless `layer` was signed by `identity` under `root`."""
    try:
        leaf = x509.load_pem_x509_certificate((layer.annotation(CERTIFICATE_ANNOTATION) or "").encode())
        chain = (
            x509.load_pem_x509_certificates((layer.annotation(CHAIN_ANNOTATION) or "").encode())
            if layer.annotation(CHAIN_ANNOTATION)
            else []
        )
    except ValueError as e:
        raise SigningError(f"{where}: certificate annotations are not PEM certificates: {e}") from e
    bundle = layer.annotation(REKOR_BUNDLE_ANNOTATION)
    if not bundle:
        raise SigningError(
            f"{where}: no {REKOR_BUNDLE_ANNOTATION}: a keyless signature needs its Rekor entry offline"
        )
    entry = verify_set(bundle, root, where)
    check_entry(entry, layer.blob, signature, leaf, where)
    issuer = check_chain(leaf, chain, root, entry.integrated_time, where)
    check_sct(leaf, issuer, root, where)
    check_identity(leaf, identity, where)
    public = leaf.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey) or not keys.verify(public, signature, layer.blob):
        raise SigningError(f"{where}: signature does not match the payload with the certificate's key")


def verify_set(bundle_json: str, root: TrustRoot, where: str) -> RekorEntry:
    """The Rekor entry, once its signed entry timestamp checks out against a trusted log key."""
    try:
        doc = json.loads(bundle_json)
        payload = doc["Payload"]
        set_signature = base64.b64decode(doc["SignedEntryTimestamp"], validate=True)
        canonical = json.dumps(
            {k: payload[k] for k in ("body", "integratedTime", "logID", "logIndex")},
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        body = json.loads(base64.b64decode(payload["body"], validate=True))
        integrated = datetime.fromtimestamp(int(payload["integratedTime"]), UTC)
        log_id = bytes.fromhex(payload["logID"])
    except (ValueError, KeyError, TypeError, binascii.Error) as e:
        raise SigningError(f"{where}: the Rekor bundle is malformed: {e!r}") from e
    for log in root.document.get("tlogs") or ():
        if base64.b64decode(log["logId"]["keyId"]) != log_id or not _valid_at(log["publicKey"], integrated):
            continue
        key = serialization.load_der_public_key(base64.b64decode(log["publicKey"]["rawBytes"]))
        if not isinstance(key, ec.EllipticCurvePublicKey):
            continue
        try:
            key.verify(set_signature, canonical, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise SigningError(f"{where}: Rekor's signed entry timestamp does not verify") from None
        return RekorEntry(body=body, integrated_time=integrated, log_index=int(payload["logIndex"]))
    raise SigningError(f"{where}: the Rekor log {log_id.hex()[:16]}… is not in the trusted root")


def check_entry(
    entry: RekorEntry, payload: bytes, signature: bytes, leaf: x509.Certificate, where: str
) -> None:
    """The log entry must record this very payload, signature and certificate."""
    body = entry.body
    if (body.get("kind"), body.get("apiVersion")) != ("hashedrekord", "0.0.1"):
        raise SigningError(
            f"{where}: Rekor entry kind {body.get('kind')}/{body.get('apiVersion')} is not supported"
        )
    try:
        spec = body["spec"]
        recorded_hash = spec["data"]["hash"]
        recorded_signature = base64.b64decode(spec["signature"]["content"])
        recorded_cert = x509.load_pem_x509_certificate(
            base64.b64decode(spec["signature"]["publicKey"]["content"])
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as e:
        raise SigningError(f"{where}: the Rekor entry is malformed: {e!r}") from e
    if (
        recorded_hash.get("algorithm") != "sha256"
        or recorded_hash.get("value") != hashlib.sha256(payload).hexdigest()
    ):
        raise SigningError(f"{where}: the Rekor entry records another payload")
    if recorded_signature != signature:
        raise SigningError(f"{where}: the Rekor entry records another signature")
    if recorded_cert != leaf:
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
    from sigstore.verify import policy

    try:
        policy.Identity(identity=identity.identity, issuer=identity.issuer).verify(leaf)
    except PolicyError as e:
        raise SigningError(f"{where}: {e}") from e


def _valid_at(item: dict[str, Any], when: datetime) -> bool:
    window = item.get("validFor") or {}
    start, end = window.get("start"), window.get("end")
    return (start is None or _time(start) <= when) and (end is None or when <= _time(end))


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
