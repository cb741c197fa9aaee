"""../shared/conformance/sigstore: artifacts made by cosign and Sigstore clients, read in place."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from hullguard.model import Digest
from hullguard.signing import dsse, keyless, keys
from hullguard.signing.errors import KeyFileError, SigningError, VerificationFailed
from hullguard.signing.layout import SIGNATURE_ANNOTATION, SIGNATURE_LAYER, Layer, build_artifact
from hullguard.signing.payload import make_payload, parse_payload
from hullguard.signing.verify import (
    KeylessPolicy,
    check_attestation,
    check_key_bundle,
    check_key_message_bundle,
    check_signature,
)
from tests.conftest import SHARED

pytestmark = pytest.mark.conformance
SUITE = Path("conformance/sigstore")
BEACON = (
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
    ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
)
GITHUB_ACTIONS = "https://token.actions.githubusercontent.com"
GITHUB_OAUTH = "https://github.com/login/oauth"


def _index() -> list[dict[str, Any]]:
    path = SHARED / SUITE / "index.json"
    return json.loads(path.read_text()) if path.is_file() else []


ENCRYPTED_KEYS = sorted(
    e["file"]
    for e in _index()
    if e["file"].startswith("keys/") and e["file"].endswith(".key") and "unencrypted" not in e["what"]
)


@pytest.fixture(scope="module")
def suite(shared_dir: Path) -> Path:
    return shared_dir / SUITE


def _password(suite: Path, entry: str) -> bytes:
    expect = next(e["expect"] for e in _index() if e["file"] == entry)
    if "empty password" in expect:
        return b""
    return (suite / entry).with_name("password.txt").read_bytes()


@pytest.mark.parametrize("entry", ENCRYPTED_KEYS)
def test_every_cosign_private_key_decrypts_with_its_password(suite: Path, entry: str) -> None:
    data, password = (suite / entry).read_bytes(), _password(suite, entry)
    der = keys.decrypt_private_key(data, password, entry)
    assert len(der) > 32
    with pytest.raises(KeyFileError, match="wrong password"):
        keys.decrypt_private_key(data, password + b"x", entry)
    if "sec1" in entry:  # cosign decrypts it, then refuses the SEC1 structure; so do we
        with pytest.raises(KeyFileError, match="SEC1"):
            keys.load_private_key(data, password, entry)
        return
    key = keys.load_private_key(data, password, entry)
    expected = (suite / entry).with_suffix(".pub").read_bytes()
    assert keys.public_pem(key.public_key()).strip() == expected.strip()
    message = b"hullguard conformance"
    assert keys.verify(key.public_key(), keys.sign(key, message), message)


def test_the_suite_lists_every_encrypted_key() -> None:
    assert len(ENCRYPTED_KEYS) >= 8 or not SHARED.is_dir()


# (case directory, public key, signed image manifest or None)
KEYED_SIGNATURES = [
    ("image-signatures/containers-image/key", "../cosign.pub", "manifest.json"),
    ("image-signatures/containers-image/key-rekor", "../cosign2.pub", "manifest.json"),
    ("image-signatures/sigstore-rs/key", "cosign.pub", None),
    ("image-signatures/sigstore-rs/rsa", "rsa.pub", None),
    # keyless signatures: the key is the Fulcio certificate's
    ("image-signatures/containers-image/fulcio-rekor", "certificate.pem", "manifest.json"),
    ("image-signatures/sigstore-rs/keyless", "certificate.pem", None),
]


@pytest.mark.parametrize(("case", "pub", "manifest"), KEYED_SIGNATURES)
def test_every_image_signature_verifies_with_its_key(
    suite: Path, case: str, pub: str, manifest: str | None
) -> None:
    folder = suite / case
    blob = (folder / "payload.json").read_bytes()
    payload = parse_payload(blob, case)
    if manifest:  # the payload names exactly the manifest that was signed
        assert payload.digest == "sha256:" + hashlib.sha256((folder / manifest).read_bytes()).hexdigest()
    # our payload writer produces cosign's exact bytes for the same claims
    if case != "image-signatures/sigstore-rs/keyless":  # that one was re-serialised with sorted keys
        assert make_payload(payload.reference, payload.digest, payload.claims()) == blob
    signature = (folder / "signature.b64").read_text().strip()
    layer = Layer(media_type=SIGNATURE_LAYER, blob=blob, annotations=((SIGNATURE_ANNOTATION, signature),))
    key = keys.load_public_key((folder / pub).resolve().read_bytes(), pub)
    assert check_signature(layer, key, payload.digest, {}, case).payload == payload
    with pytest.raises(SigningError, match="the image is sha256:0000"):
        check_signature(layer, key, Digest("sha256:" + "0" * 64), {}, case)
    tampered = Layer(
        media_type=SIGNATURE_LAYER, blob=blob.replace(b"}", b" }", 1), annotations=layer.annotations
    )
    with pytest.raises(SigningError, match="does not match"):
        check_signature(tampered, key, payload.digest, {}, case)


def _containers_signature(raw: bytes) -> Layer:
    """containers/image's on-disk form of one `.sig` layer: a magic line, then JSON."""
    magic = b"\x00sigstore-json\n"
    assert raw.startswith(magic)
    doc = json.loads(raw[len(magic) :])
    return Layer(
        media_type=doc["mimeType"],
        blob=base64.b64decode(doc["payload"]),
        annotations=tuple(doc["annotations"].items()),
    )


@pytest.mark.parametrize(
    ("case", "pub"),
    [("key", "cosign.pub"), ("key-rekor", "cosign2.pub"), ("fulcio-rekor", "fulcio-rekor/certificate.pem")],
)
def test_containers_image_signature_layers_verify(suite: Path, case: str, pub: str) -> None:
    folder = suite / "image-signatures/containers-image"
    layer = _containers_signature((folder / case / "signature-1").read_bytes())
    assert layer.media_type == SIGNATURE_LAYER
    digest = Digest("sha256:" + hashlib.sha256((folder / case / "manifest.json").read_bytes()).hexdigest())
    key = keys.load_public_key((folder / pub).read_bytes(), pub)
    assert check_signature(layer, key, digest, {}, case).payload.digest == digest


def test_signature_by_another_key_fails(suite: Path) -> None:
    folder = suite / "image-signatures/containers-image"
    digest = parse_payload((folder / "key/payload.json").read_bytes(), "payload").digest
    cosign = keys.load_public_key((folder / "cosign.pub").read_bytes(), "cosign.pub")
    other = keys.load_public_key((folder / "cosign2.pub").read_bytes(), "cosign2.pub")
    unknown = _containers_signature((folder / "unknown-cosign-key.signature").read_bytes())
    mine = _containers_signature((folder / "key/signature-1").read_bytes())
    for layer, key in ((unknown, cosign), (mine, other)):
        with pytest.raises(SigningError, match="wrong key"):
            check_signature(layer, key, digest, {}, "signature")


def test_cosign_v3_sig_manifest_is_rebuilt_byte_for_byte(suite: Path) -> None:
    folder = suite / "image-signatures/tobby-fetch-GPL/classic"
    expected = (folder / "sig-manifest.json").read_bytes().strip()
    annotations = json.loads(expected)["layers"][0]["annotations"]
    blob = (folder / "payload.json").read_bytes()
    layer = Layer(media_type=SIGNATURE_LAYER, blob=blob, annotations=tuple(annotations.items()))
    assert build_artifact((layer,)).manifest == expected
    key = keys.load_public_key((folder / "cosign.pub").read_bytes(), "cosign.pub")
    assert check_signature(layer, key, parse_payload(blob, "p").digest, {}, "classic")


def test_cosign_v3_key_bundle_verifies_with_its_key(suite: Path) -> None:
    folder = suite / "image-signatures/tobby-fetch-GPL/bundle-referrer"
    subject = json.loads((folder / "bundle-referring-manifest.json").read_bytes())["subject"]["digest"]
    key = keys.load_public_key((folder / "bundle-cosign.pub").read_bytes(), "pub")
    result = check_key_bundle((folder / "bundle-sigstore.json").read_bytes(), key, Digest(subject), "bundle")
    assert result.statement.predicate_type == "https://sigstore.dev/cosign/sign/v1"
    wrong = keys.load_public_key((suite / "dsse/kyverno/cosign.pub").read_bytes(), "pub")
    with pytest.raises(SigningError, match="does not match"):
        check_key_bundle((folder / "bundle-sigstore.json").read_bytes(), wrong, Digest(subject), "bundle")


DSSE_CASES = [
    # (envelope, key, names the blob?)
    ("dsse/cosign-verify-blob-attestation/slsa-provenance.intoto.json", "cosign.pub", True),
    ("dsse/cosign-verify-blob-attestation/multiple-subjects.intoto.json", "cosign.pub", True),
    ("dsse/cosign-verify-blob-attestation/empty-subject.intoto.json", "cosign.pub", False),
    ("dsse/cosign-verify-blob-attestation/missing-sha256.intoto.json", "cosign.pub", False),
    ("dsse/cosign-verify-blob-attestation/multiple-subjects-invalid.intoto.json", "cosign.pub", False),
    ("dsse/kyverno/attestation-0.json", "cosign.pub", False),
    ("dsse/kyverno/attestation-1.json", "cosign.pub", False),
    ("dsse/kyverno/attestation-2.json", "cosign.pub", False),
]


@pytest.mark.parametrize(("entry", "pub", "names_blob"), DSSE_CASES)
def test_every_dsse_envelope_verifies_over_pae(suite: Path, entry: str, pub: str, names_blob: bool) -> None:
    path = suite / entry
    envelope = dsse.parse_envelope(path.read_bytes(), entry)
    key = keys.load_public_key((path.parent / pub).read_bytes(), pub)
    assert envelope.verified_by(key)
    # the signature covers PAE, never the bare payload
    assert not any(keys.verify(key, sig, envelope.payload) for _, sig in envelope.signatures)
    blob = (suite / "dsse/cosign-verify-blob-attestation/blob").read_bytes()
    digest = Digest("sha256:" + hashlib.sha256(blob).hexdigest())
    assert dsse.parse_statement(envelope.payload, entry).names_digest(digest) is names_blob
    other = "kyverno" if "cosign-verify" in entry else "cosign-verify-blob-attestation"
    wrong = keys.load_public_key((suite / "dsse" / other / "cosign.pub").read_bytes(), "wrong")
    assert not envelope.verified_by(wrong)


def test_attestation_check_refuses_the_wrong_subject(suite: Path) -> None:
    entry = "dsse/cosign-verify-blob-attestation/slsa-provenance.intoto.json"
    key = keys.load_public_key((suite / entry).with_name("cosign.pub").read_bytes(), "pub")
    layer = Layer(media_type="application/vnd.dsse.envelope.v1+json", blob=(suite / entry).read_bytes())
    good = Digest("sha256:" + hashlib.sha256((suite / entry).with_name("blob").read_bytes()).hexdigest())
    other = Digest(
        "sha256:" + hashlib.sha256((suite / entry).with_name("other-blob").read_bytes()).hexdigest()
    )
    assert check_attestation(layer, key, good, "https://slsa.dev/provenance/v0.2", "a").statement.subjects
    with pytest.raises(SigningError, match="subject"):
        check_attestation(layer, key, other, None, "a")
    with pytest.raises(SigningError, match="predicate type"):
        check_attestation(layer, key, good, dsse.predicate_type("custom"), "a")


# (bundle, artifact or None for DSSE, identity, issuer, trust root: production|staging|path)
BUNDLES_PASS = [
    (
        "sigstore-python/bundle.txt.sigstore",
        "sigstore-python/bundle.txt",
        "a@tny.town",
        GITHUB_OAUTH,
        "staging",
    ),
    (
        "sigstore-python/bundle_v3.txt.sigstore",
        "sigstore-python/bundle_v3.txt",
        "william@yossarian.net",
        GITHUB_OAUTH,
        "staging",
    ),
    (
        "sigstore-python/bundle_v3_alt.txt.sigstore",
        "sigstore-python/bundle_v3_alt.txt",
        "william@yossarian.net",
        GITHUB_OAUTH,
        "staging",
    ),
    (
        "sigstore-python/staging-rekor-v2.txt.sigstore.json",
        "sigstore-python/staging-rekor-v2.txt",
        "jku@goto.fi",
        GITHUB_OAUTH,
        "staging",
    ),
    ("sigstore-python/a.dsse.staging-rekor-v2.txt.sigstore.json", None, BEACON, GITHUB_ACTIONS, "staging"),
    (
        "sigstore-python/bundle_v3_github.whl.sigstore",
        "sigstore-python/bundle_v3_github.whl",
        "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2",
        GITHUB_ACTIONS,
        "production",
    ),
    (
        "sigstore-conformance/happy-path-v0.1/bundle.sigstore.json",
        "sigstore-conformance/a.txt",
        BEACON,
        GITHUB_ACTIONS,
        "production",
    ),
    (
        "sigstore-conformance/happy-path-v0.2/bundle.sigstore.json",
        "sigstore-conformance/a.txt",
        BEACON,
        GITHUB_ACTIONS,
        "production",
    ),
    (
        "sigstore-conformance/happy-path-v0.3/bundle.sigstore.json",
        "sigstore-conformance/a.txt",
        BEACON,
        GITHUB_ACTIONS,
        "production",
    ),
    (
        "sigstore-conformance/happy-path-v0.3-new-mediaType/bundle.sigstore.json",
        "sigstore-conformance/a.txt",
        BEACON,
        GITHUB_ACTIONS,
        "production",
    ),
    (
        "sigstore-conformance/happy-path-intoto-in-dsse-v3/bundle.sigstore.json",
        None,
        BEACON,
        GITHUB_ACTIONS,
        "production",
    ),
    ("cosign/oci-attestation.sigstore.json", None, "cody@soyland.com", GITHUB_OAUTH, "production"),
    (
        "cosign/oci-attestation.sigstore.json",
        None,
        "cody@soyland.com",
        GITHUB_OAUTH,
        "cosign/trusted_root_pgi.json",
    ),
    # sigstore-python refuses these two (a v0.1 promise without proof; intoto entries): verified on
    # their inclusion promise by signing/legacy.py, as cosign v1/v2 and sigstore-go do
    (
        "sigstore-go/bundle-provenance.json",
        None,
        "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
        GITHUB_ACTIONS,
        "sigstore-go/trusted-root-public-good.json",
    ),
    (
        "sigstore-conformance/intoto-with-custom-trust-root/bundle.sigstore.json",
        None,
        BEACON,
        GITHUB_ACTIONS,
        "sigstore-conformance/intoto-with-custom-trust-root/trusted_root.json",
    ),
]


def _root(suite: Path, name: str) -> Any:
    """Production: the root sigstore-python embeds (the default of `verify`). Staging: the copy
    in the suite, since staging roots change between sigstore-python releases."""
    if name == "production":
        return keyless.load_trusted_root()
    if name == "staging":
        return keyless.load_trusted_root(suite / "bundles/sigstore-python/trusted_root.staging.json")
    return keyless.load_trusted_root(suite / "bundles" / name)


@pytest.mark.parametrize(("bundle", "artifact", "identity", "issuer", "root"), BUNDLES_PASS)
def test_every_bundle_verifies_with_its_identity(
    suite: Path, bundle: str, artifact: str | None, identity: str, issuer: str, root: str
) -> None:
    folder = suite / "bundles"
    data = (folder / bundle).read_bytes()
    content = (folder / artifact).read_bytes() if artifact else None
    result = keyless.verify_bundle(
        data, keyless.Identity(identity=identity, issuer=issuer), _root(suite, root), content
    )
    assert (result.payload is None) is (artifact is not None)
    with pytest.raises(VerificationFailed, match="rejected"):
        keyless.verify_bundle(
            data, keyless.Identity(identity="nobody@example.com", issuer=issuer), _root(suite, root), content
        )
    other = "production" if root == "staging" else "staging"
    with pytest.raises(VerificationFailed):
        keyless.verify_bundle(
            data, keyless.Identity(identity=identity, issuer=issuer), _root(suite, other), content
        )
    if content is not None:
        with pytest.raises(VerificationFailed, match="digest mismatch"):
            keyless.verify_bundle(
                data, keyless.Identity(identity=identity, issuer=issuer), _root(suite, root), content + b"!"
            )


def test_oci_attestation_bundle_names_its_image(suite: Path) -> None:
    data = (suite / "bundles/cosign/oci-attestation.sigstore.json").read_bytes()
    result = keyless.verify_bundle(
        data, keyless.Identity(identity="cody@soyland.com", issuer=GITHUB_OAUTH), _root(suite, "production")
    )
    assert result.payload is not None
    statement = dsse.parse_statement(result.payload, "statement")
    assert statement.names_digest("sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4")


BUNDLES_FAIL = [
    (
        "sigstore-python/bundle_cve_2022_36056.txt.sigstore",
        "sigstore-python/bundle_cve_2022_36056.txt",
        "william@yossarian.net",
        GITHUB_OAUTH,
        "staging",
        "inconsistent",
    ),
    (
        "sigstore-python/bundle_invalid_version.txt.sigstore",
        "sigstore-python/bundle_invalid_version.txt",
        "william@yossarian.net",
        GITHUB_OAUTH,
        "staging",
        "not a usable",
    ),
    (
        "sigstore-python/bundle_no_cert_v1.txt.sigstore",
        "sigstore-python/bundle_no_cert_v1.txt",
        "william@yossarian.net",
        GITHUB_OAUTH,
        "staging",
        "not a usable",
    ),
    (
        "sigstore-python/bundle_no_checkpoint.txt.sigstore",
        "sigstore-python/bundle_no_checkpoint.txt",
        "william@yossarian.net",
        GITHUB_OAUTH,
        "staging",
        "not a usable",
    ),
    (
        "sigstore-python/bundle_no_log_entry.txt.sigstore",
        "sigstore-python/bundle_no_log_entry.txt",
        "william@yossarian.net",
        GITHUB_OAUTH,
        "staging",
        "not a usable",
    ),
    (
        "sigstore-python/bundle_v3_no_signed_time.txt.sigstore.json",
        "sigstore-python/bundle_v3_no_signed_time.txt",
        "william@yossarian.net",
        GITHUB_OAUTH,
        "staging",
        "not a usable",
    ),
    (
        "sigstore-conformance/bundle-from-wrong-instance_fail/bundle.sigstore.json",
        "sigstore-conformance/a.txt",
        BEACON,
        GITHUB_ACTIONS,
        "production",
        "rejected",
    ),
    (
        "sigstore-conformance/dsse-invalid-sig_fail/bundle.sigstore.json",
        None,
        BEACON,
        GITHUB_ACTIONS,
        "production",
        "rejected",
    ),
    (
        "sigstore-conformance/incorrect-public-key_fail/bundle.sigstore.json",
        "sigstore-conformance/a.txt",
        BEACON,
        GITHUB_ACTIONS,
        "production",
        "rejected",
    ),
    (
        "sigstore-conformance/message-digest-mismatch_fail/bundle.sigstore.json",
        "sigstore-conformance/a.txt",
        BEACON,
        GITHUB_ACTIONS,
        "production",
        "rejected",
    ),
]


@pytest.mark.parametrize(("bundle", "artifact", "identity", "issuer", "root", "message"), BUNDLES_FAIL)
def test_bad_bundles_fail_with_a_reason(
    suite: Path, bundle: str, artifact: str | None, identity: str, issuer: str, root: str, message: str
) -> None:
    folder = suite / "bundles"
    content = (folder / artifact).read_bytes() if artifact else None
    with pytest.raises(VerificationFailed, match=message):
        keyless.verify_bundle(
            (folder / bundle).read_bytes(),
            keyless.Identity(identity=identity, issuer=issuer),
            _root(suite, root),
            content,
        )


def _fulcio_rekor(suite: Path) -> tuple[Layer, Digest]:
    folder = suite / "image-signatures/containers-image/fulcio-rekor"
    layer = _containers_signature((folder / "signature-1").read_bytes())
    return layer, Digest("sha256:" + hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest())


def test_cosign_v2_keyless_signature_verifies_with_its_identity(suite: Path) -> None:
    layer, digest = _fulcio_rekor(suite)
    policy = KeylessPolicy(
        identity=keyless.Identity(identity="mitr@redhat.com", issuer=GITHUB_OAUTH),
        root=keyless.load_trusted_root(),
    )
    assert check_signature(layer, policy, digest, {}, "fulcio-rekor").payload.digest == digest


def _edit_annotation(layer: Layer, key: str, edit: Any) -> Layer:
    annotations = dict(layer.annotations)
    annotations[key] = edit(annotations[key])
    return Layer(media_type=layer.media_type, blob=layer.blob, annotations=tuple(annotations.items()))


def _flip_set(bundle: str) -> str:
    doc = json.loads(bundle)
    raw = bytearray(base64.b64decode(doc["SignedEntryTimestamp"]))
    raw[-1] ^= 1
    doc["SignedEntryTimestamp"] = base64.b64encode(raw).decode()
    return json.dumps(doc)


def _other_time(bundle: str) -> str:
    doc = json.loads(bundle)
    doc["Payload"]["integratedTime"] += 1
    return json.dumps(doc)


def test_cosign_v2_keyless_signature_failures(suite: Path) -> None:
    layer, digest = _fulcio_rekor(suite)
    production, staging = keyless.load_trusted_root(), keyless.load_trusted_root(staging=True)
    who = keyless.Identity(identity="mitr@redhat.com", issuer=GITHUB_OAUTH)
    other_cert = (suite / "image-signatures/sigstore-rs/keyless/certificate.pem").read_text()
    cases = [
        (
            layer,
            keyless.Identity(identity="mallory@example.com", issuer=GITHUB_OAUTH),
            production,
            "SANs do not match",
        ),
        (
            layer,
            keyless.Identity(identity="mitr@redhat.com", issuer=GITHUB_ACTIONS),
            production,
            "OIDCIssuer does not match",
        ),
        (layer, who, staging, "not in the trusted root"),
        (
            _edit_annotation(layer, "dev.sigstore.cosign/bundle", _flip_set),
            who,
            production,
            "signed entry timestamp does not verify",
        ),
        (
            _edit_annotation(layer, "dev.sigstore.cosign/bundle", _other_time),
            who,
            production,
            "signed entry timestamp does not verify",
        ),
        (
            _edit_annotation(layer, "dev.sigstore.cosign/certificate", lambda _: other_cert),
            who,
            production,
            "records another certificate",
        ),
        (
            Layer(media_type=layer.media_type, blob=layer.blob + b" ", annotations=layer.annotations),
            who,
            production,
            "records another payload",
        ),
    ]
    for candidate, identity, root, message in cases:
        with pytest.raises(SigningError, match=message):
            check_signature(
                candidate, KeylessPolicy(identity=identity, root=root), digest, {}, "fulcio-rekor"
            )
    keyed = Layer(
        media_type=SIGNATURE_LAYER,
        blob=layer.blob,
        annotations=(("dev.cosignproject.cosign/signature", "AA=="),),
    )
    with pytest.raises(SigningError, match="not keyless"):
        check_signature(keyed, KeylessPolicy(identity=who, root=production), digest, {}, "keyed")


@pytest.mark.parametrize("case", ["managed-key-happy-path", "managed-key-and-trusted-root"])
def test_managed_key_bundles_verify_with_their_key(suite: Path, case: str) -> None:
    folder = suite / "bundles/sigstore-conformance"
    bundle, artifact = (folder / case / "bundle.sigstore.json").read_bytes(), (folder / "a.txt").read_bytes()
    key = keys.load_public_key((folder / case / "key.pub").read_bytes(), "key.pub")
    check_key_message_bundle(bundle, key, artifact, case)
    with pytest.raises(SigningError, match="another artifact"):
        check_key_message_bundle(bundle, key, artifact + b"!", case)
    stranger = keys.load_public_key((suite / "dsse/kyverno/cosign.pub").read_bytes(), "stranger")
    with pytest.raises(SigningError, match="wrong key"):
        check_key_message_bundle(bundle, stranger, artifact, case)


def test_managed_key_wrong_key_case_is_refused(suite: Path) -> None:
    folder = suite / "bundles/sigstore-conformance/managed-key-wrong-key_fail"
    with pytest.raises(KeyFileError, match="not a PEM public key"):
        keys.load_public_key((folder / "key.pub").read_bytes(), "key.pub")


def test_npm_publish_bundle_dsse_verifies_with_the_npm_key(suite: Path) -> None:
    folder = suite / "bundles/sigstore-go"
    envelope = json.loads((folder / "bundle-publish.json").read_bytes())["dsseEnvelope"]
    parsed = dsse.parse_envelope(json.dumps(envelope).encode(), "bundle-publish")
    assert parsed.verified_by(
        keys.load_public_key((folder / "publish_key.pub").read_bytes(), "publish_key.pub")
    )
    statement = dsse.parse_statement(parsed.payload, "bundle-publish")
    assert statement.predicate_type == "https://github.com/npm/attestation/tree/main/specs/publish/v0.1"
    assert not parsed.verified_by(
        keys.load_public_key((suite / "dsse/kyverno/cosign.pub").read_bytes(), "other")
    )


def test_cosign_v2_keyless_needs_an_sct_from_a_trusted_ct_log(suite: Path) -> None:
    layer, digest = _fulcio_rekor(suite)
    root = keyless.load_trusted_root()
    who = keyless.Identity(identity="mitr@redhat.com", issuer=GITHUB_OAUTH)
    no_logs = keyless.TrustRoot({**root.document, "ctlogs": []}, root.sigstore)
    rekor_key = root.document["tlogs"][0]["publicKey"]
    wrong_key = keyless.TrustRoot(
        {**root.document, "ctlogs": [{**log, "publicKey": rekor_key} for log in root.document["ctlogs"]]},
        root.sigstore,
    )
    for trust in (no_logs, wrong_key):
        with pytest.raises(SigningError, match="no SCT in the certificate verifies"):
            check_signature(layer, KeylessPolicy(identity=who, root=trust), digest, {}, "fulcio-rekor")


def test_promise_only_bundle_refuses_tampering(suite: Path) -> None:
    folder = suite / "bundles/sigstore-go"
    doc = json.loads((folder / "bundle-provenance.json").read_bytes())
    root = keyless.load_trusted_root(folder / "trusted-root-public-good.json")
    who = keyless.Identity(
        identity="https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
        issuer=GITHUB_ACTIONS,
    )
    statement = json.loads(base64.b64decode(doc["dsseEnvelope"]["payload"]))
    statement["subject"][0]["name"] = "pkg:npm/evil@6.6.6"
    forged = {
        **doc,
        "dsseEnvelope": {
            **doc["dsseEnvelope"],
            "payload": base64.b64encode(json.dumps(statement).encode()).decode(),
        },
    }
    with pytest.raises(VerificationFailed, match="records another payload"):
        keyless.verify_bundle(json.dumps(forged).encode(), who, root)
    tlog = doc["verificationMaterial"]["tlogEntries"][0]
    later = {**tlog, "integratedTime": str(int(tlog["integratedTime"]) + 1)}
    moved = {**doc, "verificationMaterial": {**doc["verificationMaterial"], "tlogEntries": [later]}}
    with pytest.raises(VerificationFailed, match="signed entry timestamp does not verify"):
        keyless.verify_bundle(json.dumps(moved).encode(), who, root)


def test_cosign_v2_style_keyless_attestation_layer(suite: Path) -> None:
    """The npm provenance bundle re-laid as cosign v2 wrote keyless `.att` layers: the envelope
    as the blob; certificate, chain and Rekor bundle as annotations."""
    from cryptography.hazmat.primitives import serialization

    from hullguard.signing import legacy

    folder = suite / "bundles/sigstore-go"
    doc = json.loads((folder / "bundle-provenance.json").read_bytes())
    certs = [
        x509.load_der_x509_certificate(base64.b64decode(c["rawBytes"]))
        for c in doc["verificationMaterial"]["x509CertificateChain"]["certificates"]
    ]
    pem = [c.public_bytes(serialization.Encoding.PEM).decode() for c in certs]
    tlog = doc["verificationMaterial"]["tlogEntries"][0]
    rekor = {
        "SignedEntryTimestamp": tlog["inclusionPromise"]["signedEntryTimestamp"],
        "Payload": {
            "body": tlog["canonicalizedBody"],
            "integratedTime": int(tlog["integratedTime"]),
            "logIndex": int(tlog["logIndex"]),
            "logID": base64.b64decode(tlog["logId"]["keyId"]).hex(),
        },
    }
    layer = Layer(
        media_type="application/vnd.dsse.envelope.v1+json",
        blob=json.dumps(doc["dsseEnvelope"]).encode(),
        annotations=(
            ("dev.sigstore.cosign/certificate", pem[0]),
            ("dev.sigstore.cosign/chain", "".join(pem[1:])),
            ("dev.sigstore.cosign/bundle", json.dumps(rekor)),
            ("predicateType", "https://slsa.dev/provenance/v0.2"),
        ),
    )
    root = keyless.load_trusted_root(folder / "trusted-root-public-good.json")
    who = keyless.Identity(
        identity="https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
        issuer=GITHUB_ACTIONS,
    )
    envelope = legacy.check_keyless_envelope(layer, who, root, "att")
    assert dsse.parse_statement(envelope.payload, "att").predicate_type == "https://slsa.dev/provenance/v0.2"
    policy = KeylessPolicy(identity=who, root=root)
    with pytest.raises(
        SigningError, match="the statement's subject is sha512"
    ):  # an npm package, not an image
        check_attestation(layer, policy, Digest("sha256:" + "0" * 64), None, "att")
    stranger = KeylessPolicy(
        identity=keyless.Identity(identity="mallory@example.com", issuer=GITHUB_ACTIONS), root=root
    )
    with pytest.raises(SigningError, match="SANs do not match"):
        check_attestation(layer, stranger, Digest("sha256:" + "0" * 64), None, "att")
