"""cosign key files: generate, encrypt and decrypt (scrypt + NaCl secretbox), load, sign, verify."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import Any

import nacl.exceptions
import nacl.secret
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509 import load_pem_x509_certificate

from hullguard.signing.der import ed25519_seed, private_key_kind
from hullguard.signing.errors import KeyFileError, SigningError

SIGSTORE_LABEL = "ENCRYPTED SIGSTORE PRIVATE KEY"
COSIGN_LABEL = "ENCRYPTED COSIGN PRIVATE KEY"
# go-securesystemslib's "Standard" level, as current cosign writes; it reads only these three.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 65536, 8, 1
ACCEPTED_SCRYPT = frozenset({(32768, 8, 1), (65536, 8, 1), (131072, 8, 1)})
MAX_KEY_FILE = 64 * 1024

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey | ed25519.Ed25519PublicKey
_PEM = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\s*(.*?)\s*-----END \1-----", re.S)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyPair:
    private_pem: bytes
    public_pem: bytes


def pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    """(label, DER) of every PEM block in `data`, in order."""
    blocks = []
    for m in _PEM.finditer(data):
        try:
            blocks.append(
                (m.group(1).decode(), base64.b64decode(b"".join(m.group(2).split()), validate=True))
            )
        except binascii.Error as e:
            raise KeyFileError(f"PEM block {m.group(1).decode()!r} is not valid base64: {e}") from e
    return blocks


def encode_pem(label: str, der: bytes) -> bytes:
    body = base64.b64encode(der).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n{chr(10).join(lines)}\n-----END {label}-----\n".encode()


def _kdf(password: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=32, maxmem=2 * 128 * r * n + (1 << 20))


def encrypt_der(der: bytes, password: bytes) -> bytes:
    """The JSON envelope cosign stores inside its encrypted PEM block."""
    salt, nonce = os.urandom(32), os.urandom(nacl.secret.SecretBox.NONCE_SIZE)
    box = nacl.secret.SecretBox(_kdf(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))
    sealed = box.encrypt(der, nonce).ciphertext
    envelope = {
        "kdf": {
            "name": "scrypt",
            "params": {"N": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P},
            "salt": base64.b64encode(salt).decode(),
        },
        "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
        "ciphertext": base64.b64encode(sealed).decode(),
    }
    return json.dumps(envelope, separators=(",", ":")).encode()


def decrypt_envelope(envelope: bytes, password: bytes, where: str) -> bytes:
    """The DER key sealed in a cosign envelope; wrong passwords and odd parameters are errors."""
    try:
        doc: Any = json.loads(envelope)
        kdf, cipher = doc["kdf"], doc["cipher"]
        params = kdf["params"]
        n, r, p = int(params["N"]), int(params["r"]), int(params["p"])
        salt = base64.b64decode(kdf["salt"], validate=True)
        nonce = base64.b64decode(cipher["nonce"], validate=True)
        sealed = base64.b64decode(doc["ciphertext"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error) as e:
        raise KeyFileError(f"{where}: not a cosign encrypted key envelope: {e!r}") from e
    if kdf.get("name") != "scrypt" or cipher.get("name") != "nacl/secretbox":
        raise KeyFileError(f"{where}: unsupported kdf {kdf.get('name')!r} or cipher {cipher.get('name')!r}")
    if (n, r, p) not in ACCEPTED_SCRYPT:
        raise KeyFileError(
            f"{where}: unsupported scrypt parameters N={n} r={r} p={p} (cosign refuses them too)"
        )
    try:
        return nacl.secret.SecretBox(_kdf(password, salt, n, r, p)).decrypt(sealed, nonce)
    except (nacl.exceptions.CryptoError, ValueError) as e:
        raise KeyFileError(
            f"{where}: decryption failed: wrong password (COSIGN_PASSWORD) or damaged key"
        ) from e


def generate_key_pair(password: bytes) -> KeyPair:
    """A new ECDSA P-256 key pair, written as `cosign generate-key-pair` writes it."""
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return KeyPair(
        private_pem=encode_pem(SIGSTORE_LABEL, encrypt_der(der, password)),
        public_pem=public_pem(key.public_key()),
    )


def public_pem(key: PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def decrypt_private_key(data: bytes, password: bytes, where: str) -> bytes:
    """The DER inside an encrypted cosign key (either label), not yet parsed."""
    for label, body in pem_blocks(data):
        if label in (SIGSTORE_LABEL, COSIGN_LABEL):
            return decrypt_envelope(body, password, where)
    raise KeyFileError(f"{where}: no {SIGSTORE_LABEL!r} or {COSIGN_LABEL!r} PEM block")


def load_private_key(data: bytes, password: bytes | None, where: str) -> PrivateKey:
    """A cosign encrypted key, or a plain PEM key (PKCS#8, SEC1, PKCS#1, or encrypted PKCS#8)."""
    if len(data) > MAX_KEY_FILE:
        raise KeyFileError(f"{where}: {len(data)} bytes is too large for a key file")
    labels = [label for label, _ in pem_blocks(data)]
    if SIGSTORE_LABEL in labels or COSIGN_LABEL in labels:
        der = decrypt_private_key(data, password or b"", where)
        try:
            kind = private_key_kind(der)
        except SigningError as e:
            raise KeyFileError(f"{where}: decrypted key is not DER: {e}") from e
        if kind != "pkcs8":  # cosign's LoadPrivateKey parses PKCS#8 only
            raise KeyFileError(f"{where}: the decrypted key is {kind.upper()}, but cosign keys hold PKCS#8")
        return _from_der(der, where)
    if not labels:
        raise KeyFileError(f"{where}: no PEM block found; expected a cosign key or a PEM private key")
    if labels == ["PRIVATE KEY"]:
        return _from_der(pem_blocks(data)[0][1], where)
    encrypted = "ENCRYPTED PRIVATE KEY" in labels
    try:
        key = serialization.load_pem_private_key(data, password=password if encrypted else None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as e:
        raise KeyFileError(f"{where}: not a usable PEM private key ({labels[0]}): {e}") from e
    return _check_private(key, where)


def _from_der(der: bytes, where: str) -> PrivateKey:
    try:
        return _check_private(serialization.load_der_private_key(der, password=None), where)
    except (ValueError, UnsupportedAlgorithm):
        seed = ed25519_seed(der)  # RFC 5958 v2 keys, which `cryptography` refuses
        if seed is None:
            raise KeyFileError(f"{where}: decrypted key is not a supported PKCS#8 key") from None
        return ed25519.Ed25519PrivateKey.from_private_bytes(seed)


def _check_private(key: object, where: str) -> PrivateKey:
    if isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        return key
    raise KeyFileError(f"{where}: {type(key).__name__} keys are not supported (ECDSA, RSA, Ed25519 are)")


def load_public_key(data: bytes, where: str) -> PublicKey:
    """A PEM public key (SubjectPublicKeyInfo or PKCS#1 RSA) or the key of a PEM certificate."""
    labels = [label for label, _ in pem_blocks(data)]
    try:
        if "CERTIFICATE" in labels:
            key: object = load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as e:
        raise KeyFileError(f"{where}: not a PEM public key or certificate: {e}") from e
    if isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        return key
    raise KeyFileError(f"{where}: {type(key).__name__} keys are not supported (ECDSA, RSA, Ed25519 are)")


def sign(key: PrivateKey, data: bytes) -> bytes:
    """A signature as cosign makes it: ECDSA/SHA-256 (DER), RSA PKCS#1 v1.5/SHA-256, or Ed25519."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return key.sign(data)


def verify(key: PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def key_id(key: PublicKey) -> str:
    """sha256 of the DER SubjectPublicKeyInfo, as cosign and Sigstore bundles name a key."""
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "sha256:" + hashlib.sha256(der).hexdigest()
