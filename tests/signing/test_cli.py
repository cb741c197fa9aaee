"""The signing commands' contract without a registry: key files, passwords, usage errors."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from pathlib import Path

import nacl.secret
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hullguard.cli.main import main
from tests.signing.conftest import PASSWORD

NOWHERE = "127.0.0.1:9/never/used:tag"  # commands must fail before touching it


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_key_generate_writes_a_cosign_key_pair(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prefix = tmp_path / "release"
    code, _, err = run(capsys, "key", "generate", "--output-key-prefix", str(prefix))
    assert code == 0, err
    private, public = prefix.with_suffix(".key"), prefix.with_suffix(".pub")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    # Decrypt with nothing of hullguard's: the format cosign documents, by hand.
    lines = private.read_text().splitlines()
    assert lines[0] == "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"
    assert lines[-1] == "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----"
    assert all(len(line) <= 64 for line in lines[1:-1])
    envelope = json.loads(base64.b64decode("".join(lines[1:-1])))
    assert envelope["kdf"]["name"] == "scrypt" and envelope["cipher"]["name"] == "nacl/secretbox"
    params = envelope["kdf"]["params"]
    assert (params["N"], params["r"], params["p"]) == (65536, 8, 1)
    salt = base64.b64decode(envelope["kdf"]["salt"])
    secret = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=65536, r=8, p=1, dklen=32, maxmem=1 << 28)
    der = nacl.secret.SecretBox(secret).decrypt(
        base64.b64decode(envelope["ciphertext"]), base64.b64decode(envelope["cipher"]["nonce"])
    )
    key = serialization.load_der_private_key(der, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    spki = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert public.read_bytes() == spki

    code, _, err = run(capsys, "key", "generate", "--output-key-prefix", str(prefix))
    assert code == 2 and "already exist" in err
    private.chmod(0o644)
    assert run(capsys, "key", "generate", "--output-key-prefix", str(prefix), "--force")[0] == 0
    assert public.read_bytes() != spki
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    code, out, _ = run(capsys, "key", "public", "--key", str(private))
    assert code == 0 and out.encode() == public.read_bytes()


def test_no_password_and_no_terminal_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COSIGN_PASSWORD")
    code, _, err = run(capsys, "key", "generate", "--output-key-prefix", str(tmp_path / "k"))
    assert code == 2 and "set COSIGN_PASSWORD" in err
    assert not (tmp_path / "k.key").exists()


def test_wrong_password_stops_before_the_registry(
    key_pairs: tuple[tuple[Path, Path], tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COSIGN_PASSWORD", "not it")
    code, _, err = run(capsys, "sign", NOWHERE, "--key", str(key_pairs[0][0]))
    assert code == 2 and "wrong password" in err and "Traceback" not in err


def test_plain_pem_keys_sign_without_a_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hullguard.cli.signing_args import load_signing_key

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "plain.pem").write_bytes(pem)
    assert isinstance(load_signing_key(tmp_path / "plain.pem"), ec.EllipticCurvePrivateKey)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("verify", NOWHERE), "give --key PUB"),
        (("verify", NOWHERE, "--certificate-identity", "a@b.c"), "needs --certificate-oidc-issuer or"),
        (
            (
                "verify",
                NOWHERE,
                "--key",
                "k.pub",
                "--certificate-identity",
                "a",
                "--certificate-oidc-issuer",
                "b",
            ),
            "not both",
        ),
        (("verify", NOWHERE, "--key", "/no/such.pub"), "No such file"),
        (("sign", NOWHERE, "--key", "/no/such.key", "-a", "novalue"), "expected KEY=VALUE"),
        (("attest", NOWHERE, "--key", "/no/such.key", "--predicate", "/no/such.json"), "No such file"),
        (
            ("attest", NOWHERE, "--key", "/no/such.key", "--predicate", "/dev/null", "--type", "nonsense"),
            "--type 'nonsense'",
        ),
        (("image", NOWHERE, "--require-signature"), "needs --key"),
        (("verify-attestation", NOWHERE), "give --key PUB"),
        (("image", "/dev/null", "--require-signature", "--key", "k.pub"), "needs an image in a registry"),
        (
            ("image", NOWHERE, "--require-signature", "--certificate-identity", "a@b.c"),
            "needs --certificate-oidc-issuer",
        ),
        (("image", "oci:/tmp/x", "--attest-key", "k.key"), "needs an image in a registry"),
        (("image", NOWHERE, "--attest-key", "k.key", "--format", "table"), "--format must be one of"),
    ],
)
def test_usage_errors_exit_2_with_a_message(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_predicate_must_be_json(
    tmp_path: Path, key_pairs: tuple[tuple[Path, Path], tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "p.json"
    bad.write_text("{not json")
    code, _, err = run(
        capsys,
        "attest",
        NOWHERE,
        "--key",
        str(key_pairs[0][0]),
        "--predicate",
        str(bad),
        "--type",
        "cyclonedx",
    )
    assert code == 2 and "not JSON" in err
