"""Keys, payloads, DSSE and the cosign layout, with values from their specifications."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from hullguard.model import Digest
from hullguard.signing import dsse, keys
from hullguard.signing.errors import KeyFileError, SigningError
from hullguard.signing.layout import SIGNATURE_LAYER, Layer, append, build_artifact, tag_for
from hullguard.signing.payload import go_json, make_payload, parse_payload

DIGEST = Digest("sha256:" + "ab" * 32)


def test_pae_matches_the_dsse_specification() -> None:
    assert dsse.pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def test_envelope_round_trip_and_tamper() -> None:
    key = keys.load_private_key(keys.generate_key_pair(b"pw").private_pem, b"pw", "k")
    statement = dsse.make_statement("r/x", DIGEST, dsse.predicate_type("openvex"), {"a": 1})
    envelope = dsse.parse_envelope(dsse.sign_envelope(key, statement).to_json(), "e")
    assert envelope.verified_by(key.public_key())
    parsed = dsse.parse_statement(envelope.payload, "s")
    assert parsed.predicate_type == "https://openvex.dev/ns" and parsed.names_digest(DIGEST)
    forged = dsse.Envelope(
        payload_type=envelope.payload_type, payload=envelope.payload + b" ", signatures=envelope.signatures
    )
    assert not forged.verified_by(key.public_key())
    with pytest.raises(SigningError, match="not a DSSE envelope"):
        dsse.parse_envelope(b'{"payload": 1}', "e")


def test_predicate_types() -> None:
    assert dsse.predicate_type("cyclonedx") == "https://cyclonedx.org/bom"
    assert dsse.predicate_type("spdxjson") == "https://spdx.dev/Document"
    assert dsse.predicate_type("vuln") == "https://cosign.sigstore.dev/attestation/vuln/v1"
    assert dsse.predicate_type("https://example.com/mine/v1") == "https://example.com/mine/v1"
    with pytest.raises(SigningError):
        dsse.predicate_type("sbom")


def test_payload_is_go_json_with_sorted_claims() -> None:
    raw = make_payload("reg/app", DIGEST, {"z": "1", "a": "<b>&"})
    assert raw.startswith(b'{"critical":{"identity":{"docker-reference":"reg/app"}')
    assert b'"optional":{"a":"\\u003cb\\u003e\\u0026","z":"1"}' in raw
    assert parse_payload(raw, "p").claims() == {"a": "<b>&", "z": "1"}
    assert go_json({"k": None}) == b'{"k":null}'
    with pytest.raises(SigningError, match="is not"):
        parse_payload(raw.replace(b"cosign container image signature", b"other"), "p")
    with pytest.raises(SigningError, match="not a valid digest"):
        parse_payload(raw.replace(DIGEST.encode(), b"sha256:short"), "p")


def test_layout_tags_and_append() -> None:
    assert tag_for(DIGEST, "sig") == "sha256-" + "ab" * 32 + ".sig"
    assert tag_for(DIGEST, "") == "sha256-" + "ab" * 32
    one = Layer(media_type=SIGNATURE_LAYER, blob=b"{}", annotations=(("k", "v"),))
    two = Layer(media_type=SIGNATURE_LAYER, blob=b"{}", annotations=(("k", "w"),))
    assert append((one,), one) == (one,)
    assert append((one,), two) == (one, two)
    artifact = build_artifact((one, two))
    config = json.loads(artifact.config)
    assert config["rootfs"]["diff_ids"] == [one.digest, two.digest] and len(config["history"]) == 2
    assert [layer["annotations"] for layer in json.loads(artifact.manifest)["layers"]] == [
        {"k": "v"},
        {"k": "w"},
    ]


def test_cosign_envelope_with_unsupported_scrypt_parameters_is_refused() -> None:
    doc = {"kdf": {"name": "scrypt", "params": {"N": 1024, "r": 8, "p": 1}, "salt": "AA=="},
           "cipher": {"name": "nacl/secretbox", "nonce": "AA=="}, "ciphertext": "AA=="}  # fmt: skip
    pem = keys.encode_pem(keys.SIGSTORE_LABEL, json.dumps(doc).encode())
    with pytest.raises(KeyFileError, match="unsupported scrypt parameters N=1024"):
        keys.load_private_key(pem, b"", "weak.key")
    with pytest.raises(KeyFileError, match="no PEM block"):
        keys.load_private_key(b"garbage", b"", "garbage.key")
    with pytest.raises(KeyFileError, match="not a PEM public key"):
        keys.load_public_key(keys.encode_pem("PUBLIC KEY", b"\x30\x00"), "bad.pub")


def test_key_id_is_sha256_of_spki() -> None:
    pair = keys.generate_key_pair(b"")
    public = keys.load_public_key(pair.public_pem, "p")
    der = base64.b64decode(b"".join(pair.public_pem.splitlines()[1:-1]))
    assert keys.key_id(public) == "sha256:" + hashlib.sha256(der).hexdigest()


def test_bad_signature_layers_each_give_their_reason() -> None:
    from hullguard.signing.errors import VerificationFailed
    from hullguard.signing.verify import verify_signatures

    private = keys.load_private_key(keys.generate_key_pair(b"").private_pem, b"", "k")
    public = private.public_key()

    def signed(blob: bytes) -> Layer:
        signature = base64.b64encode(keys.sign(private, blob)).decode()
        return Layer(
            media_type=SIGNATURE_LAYER,
            blob=blob,
            annotations=(("dev.cosignproject.cosign/signature", signature),),
        )

    layers = (
        Layer(media_type=SIGNATURE_LAYER, blob=b"{}"),
        Layer(
            media_type=SIGNATURE_LAYER,
            blob=b"{}",
            annotations=(("dev.cosignproject.cosign/signature", "%%%"),),
        ),
        signed(b"not json at all"),
        signed(make_payload("r/x", Digest("sha256:" + "cd" * 32))),
    )
    with pytest.raises(VerificationFailed) as failure:
        verify_signatures(layers, public, DIGEST, {}, "r/x@" + DIGEST)
    reasons = failure.value.reasons
    assert len(reasons) == 4
    assert "no dev.cosignproject.cosign/signature annotation" in reasons[0]
    assert "not base64" in reasons[1]
    assert "not a simple-signing payload" in reasons[2]
    assert "names sha256:cdcd" in reasons[3]
    good = signed(make_payload("r/x", DIGEST))
    assert len(verify_signatures((*layers, good), public, DIGEST, {}, "r/x")) == 1
