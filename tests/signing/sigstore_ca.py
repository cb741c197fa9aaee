"""A Sigstore of our own, built at test time with `cryptography`: a Fulcio-like CA issuing
short-lived code-signing certificates (identity SAN, OIDC-issuer extensions, an embedded SCT from
a test CT log), a Rekor-like log key signing entry timestamps, and the trusted root naming them.
What it signs is what cosign v2 pushes for a keyless signature: a `.sig` layer with the
certificate, its chain and the Rekor bundle as annotations."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from hullguard.model import Digest
from hullguard.signing.layout import (
    CERTIFICATE_ANNOTATION,
    CHAIN_ANNOTATION,
    REKOR_BUNDLE_ANNOTATION,
    SIGNATURE_ANNOTATION,
    SIGNATURE_LAYER,
    Layer,
)
from hullguard.signing.payload import make_payload

ISSUER_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
SCT_LIST = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _spki(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _utf8_der(text: str) -> bytes:
    raw = text.encode()
    assert len(raw) < 128
    return bytes([0x0C, len(raw)]) + raw


@dataclass
class FakeSigstore:
    """Keys made once per instance; `now` is when certificates are issued and entries logged."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    ca_key: ec.EllipticCurvePrivateKey = field(default_factory=_key)
    ct_key: ec.EllipticCurvePrivateKey = field(default_factory=_key)
    rekor_key: ec.EllipticCurvePrivateKey = field(default_factory=_key)

    def __post_init__(self) -> None:
        name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "hullguard-test"),
                          x509.NameAttribute(NameOID.COMMON_NAME, "fulcio-test")])  # fmt: skip
        public = self.ca_key.public_key()
        self.ca = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - timedelta(days=1))
            .not_valid_after(self.now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_ca_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(self.ca_key, hashes.SHA256())
        )

    def trusted_root(self) -> dict[str, Any]:
        """A trusted_root.json (Sigstore's protobuf-specs JSON) naming the CA, the CT log and Rekor."""
        start = {"start": (self.now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}

        def log(key: ec.EllipticCurvePrivateKey, url: str) -> dict[str, Any]:
            return {"baseUrl": url, "hashAlgorithm": "SHA2_256",
                    "publicKey": {"rawBytes": _b64(_spki(key)), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                                  "validFor": start},
                    "logId": {"keyId": _b64(hashlib.sha256(_spki(key)).digest())}}  # fmt: skip

        return {
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [log(self.rekor_key, "https://rekor.hullguard.test")],
            "certificateAuthorities": [
                {
                    "subject": {"organization": "hullguard-test", "commonName": "fulcio-test"},
                    "uri": "https://fulcio.hullguard.test",
                    "certChain": {
                        "certificates": [{"rawBytes": _b64(self.ca.public_bytes(serialization.Encoding.DER))}]
                    },
                    "validFor": start,
                }
            ],
            "ctlogs": [log(self.ct_key, "https://ctfe.hullguard.test")],
            "timestampAuthorities": [],
        }

    def issue(self, identity: str, issuer: str, key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
        """A 10-minute code-signing certificate for `identity` (an e-mail SAN) vouched for by
        `issuer`, with an SCT embedded as Fulcio does (signed over the precertificate)."""
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([]))
            .issuer_name(self.ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - timedelta(minutes=1))
            .not_valid_after(self.now + timedelta(minutes=10))
            .add_extension(_leaf_usage(), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()), critical=False
            )
            .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(identity)]), critical=True)
            .add_extension(x509.UnrecognizedExtension(ISSUER_V1, issuer.encode()), critical=False)
            .add_extension(x509.UnrecognizedExtension(ISSUER_V2, _utf8_der(issuer)), critical=False)
        )
        # the precertificate's TBS is this certificate's without the SCT list: sign it, then embed
        tbs = builder.sign(self.ca_key, hashes.SHA256()).tbs_certificate_bytes
        sct = self._sct(tbs)
        sct_list = len(sct).to_bytes(2, "big") + sct
        value = len(sct_list).to_bytes(2, "big") + sct_list
        octet = bytes([0x04, 0x81, len(value)]) if 128 <= len(value) < 256 else bytes([0x04, len(value)])
        cert = builder.add_extension(
            x509.UnrecognizedExtension(SCT_LIST, octet + value), critical=False
        ).sign(self.ca_key, hashes.SHA256())
        assert cert.tbs_precertificate_bytes == tbs
        return cert

    def _sct(self, tbs: bytes) -> bytes:
        millis = (self.now - EPOCH) // timedelta(milliseconds=1)
        issuer_key_hash = hashlib.sha256(_spki(self.ca_key)).digest()
        signed = (b"\x00\x00" + millis.to_bytes(8, "big") + b"\x00\x01" + issuer_key_hash
                  + len(tbs).to_bytes(3, "big") + tbs + b"\x00\x00")  # fmt: skip
        signature = self.ct_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        log_id = hashlib.sha256(_spki(self.ct_key)).digest()
        return (b"\x00" + log_id + millis.to_bytes(8, "big") + b"\x00\x00"
                + b"\x04\x03" + len(signature).to_bytes(2, "big") + signature)  # fmt: skip

    def signature_layer(self, reference: str, digest: Digest, identity: str, issuer: str) -> Layer:
        """What `cosign sign` (v2, keyless) pushes: payload, signature, certificate, chain, Rekor bundle."""
        key = _key()
        cert = self.issue(identity, issuer, key)
        payload = make_payload(reference, digest)
        signature = key.sign(payload, ec.ECDSA(hashes.SHA256()))
        body = {"apiVersion": "0.0.1", "kind": "hashedrekord",
                "spec": {"data": {"hash": {"algorithm": "sha256", "value": hashlib.sha256(payload).hexdigest()}},
                         "signature": {"content": _b64(signature),
                                       "publicKey": {"content": _b64(_pem(cert).encode())}}}}  # fmt: skip
        entry = {"body": _b64(json.dumps(body).encode()), "integratedTime": int(self.now.timestamp()),
                 "logID": hashlib.sha256(_spki(self.rekor_key)).hexdigest(), "logIndex": 7}  # fmt: skip
        canonical = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
        promise = self.rekor_key.sign(canonical, ec.ECDSA(hashes.SHA256()))
        bundle = {"SignedEntryTimestamp": _b64(promise), "Payload": entry}
        return Layer(
            media_type=SIGNATURE_LAYER,
            blob=payload,
            annotations=(
                (SIGNATURE_ANNOTATION, _b64(signature)),
                (CERTIFICATE_ANNOTATION, _pem(cert)),
                (CHAIN_ANNOTATION, _pem(self.ca)),
                (REKOR_BUNDLE_ANNOTATION, json.dumps(bundle)),
            ),
        )


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                         encipher_only=False, decipher_only=False)  # fmt: skip


def _leaf_usage() -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                         encipher_only=False, decipher_only=False)  # fmt: skip
