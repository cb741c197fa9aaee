"""--certificate-identity-regexp / --certificate-oidc-issuer-regexp on real Sigstore artifacts
from ../shared/conformance/sigstore (read in place), as a library and through the CLI."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.signing import keyless
from hullguard.signing.errors import SigningError, VerificationFailed
from hullguard.signing.verify import KeylessPolicy, check_signature
from tests.registry.conftest import LiveRegistry
from tests.signing.test_conformance import _containers_signature
from tests.signing.test_keyless_registry import _auth, attested_empty_image  # noqa: F401  (fixture)

pytestmark = pytest.mark.conformance
GITHUB_OAUTH = "https://github.com/login/oauth"
GITHUB_ACTIONS = "https://token.actions.githubusercontent.com"
FULCIO_REKOR = "conformance/sigstore/image-signatures/containers-image/fulcio-rekor"
WHEEL = "conformance/sigstore/bundles/sigstore-python/bundle_v3_github.whl"
WHEEL_IDENTITY = "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"


def _check_cosign_v2_signature(shared_dir: Path, identity: keyless.Identity) -> None:
    """The cosign v2 keyless `.sig` layer (certificate + Rekor SET), by `legacy.py`."""
    folder = shared_dir / FULCIO_REKOR
    layer = _containers_signature((folder / "signature-1").read_bytes())
    digest = "sha256:" + hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    policy = KeylessPolicy(identity=identity, root=keyless.load_trusted_root())
    assert check_signature(layer, policy, digest, {}, "fulcio-rekor").payload.digest == digest  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "identity",
    [
        keyless.Identity(
            identity_regexp=r"^mitr@redhat\.com$", issuer_regexp=r"^https://github\.com/login/oauth$"
        ),
        # unanchored, as cosign's Go regexp.MatchString: a match anywhere in the value is enough
        keyless.Identity(identity_regexp=r"@redhat\.com", issuer_regexp=r"github\.com"),
        keyless.Identity(identity="mitr@redhat.com", issuer_regexp=r"^https://github\.com/"),
        keyless.Identity(identity_regexp=r"^[a-z]+@redhat\.com$", issuer=GITHUB_OAUTH),
    ],
)
def test_regexp_matching_the_real_identity_verifies(shared_dir: Path, identity: keyless.Identity) -> None:
    _check_cosign_v2_signature(shared_dir, identity)


@pytest.mark.parametrize(
    ("identity", "message"),
    [
        (
            keyless.Identity(identity_regexp=r"^mallory@", issuer=GITHUB_OAUTH),
            "no SAN matches --certificate-identity-regexp '^mallory@'",
        ),
        # anchored: the real SAN contains "redhat.com" but does not end with it plus more
        (
            keyless.Identity(identity_regexp=r"^redhat\.com$", issuer=GITHUB_OAUTH),
            "no SAN matches --certificate-identity-regexp",
        ),
        (
            keyless.Identity(identity="mitr@redhat.com", issuer_regexp=r"accounts\.google\.com"),
            "issuer does not match --certificate-oidc-issuer-regexp 'accounts\\\\.google\\\\.com'",
        ),
        (
            keyless.Identity(identity_regexp=".*", issuer_regexp=r"^https://token\.actions\."),
            "issuer does not match",
        ),
    ],
)
def test_regexp_not_matching_fails_naming_the_identity_found(
    shared_dir: Path, identity: keyless.Identity, message: str
) -> None:
    with pytest.raises(SigningError) as caught:
        _check_cosign_v2_signature(shared_dir, identity)
    text = str(caught.value)
    assert message in text
    assert f"certificate identity mitr@redhat.com (OIDC issuer {GITHUB_OAUTH})" in text


def test_regexp_on_a_bundle_verified_by_sigstore_python(shared_dir: Path) -> None:
    """A GitHub Actions workflow identity (URI SAN, v2 issuer extension) in a v0.3 bundle."""
    bundle = (shared_dir / f"{WHEEL}.sigstore").read_bytes()
    wheel = (shared_dir / WHEEL).read_bytes()
    root = keyless.load_trusted_root()
    release = r"^https://github\.com/trailofbits/rfc8785\.py/\.github/workflows/release\.yml@refs/tags/v\d+\.\d+\.\d+$"
    wanted = keyless.Identity(
        identity_regexp=release, issuer_regexp=r"^https://token\.actions\.githubusercontent\.com$"
    )
    assert keyless.verify_bundle(bundle, wanted, root, wheel).identity == wanted
    other_repo = keyless.Identity(identity_regexp=r"^https://github\.com/evil/", issuer=GITHUB_ACTIONS)
    with pytest.raises(VerificationFailed) as caught:
        keyless.verify_bundle(bundle, other_repo, root, wheel)
    assert f"certificate identity {WHEEL_IDENTITY}" in str(caught.value)
    assert "no SAN matches --certificate-identity-regexp '^https://github\\\\.com/evil/'" in str(caught.value)
    with pytest.raises(VerificationFailed, match="digest mismatch"):
        keyless.verify_bundle(bundle, wanted, root, wheel + b"!")


# Through the CLI: cosign's keyless attestation bundle (identity cody@soyland.com) as a referrer
# of go-containerregistry's empty image on the real TLS registry.
CODY = ("--certificate-identity-regexp", r"^cody@soyland\.com$")
OAUTH_RE = ("--certificate-oidc-issuer-regexp", r"^https://github\.com/login/oauth$")


@pytest.mark.integration
def test_verify_attestation_with_regexps(
    tls_registry: LiveRegistry,
    attested_empty_image: str,  # noqa: F811  (the imported fixture)
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["verify-attestation", attested_empty_image, *CODY, *OAUTH_RE, *_auth(tls_registry)])
    _, err = capsys.readouterr()
    assert code == 0, err
    code = main(
        [
            "verify-attestation",
            attested_empty_image,
            "--certificate-identity-regexp",
            r"^mallory@",
            *OAUTH_RE,
            *_auth(tls_registry),
        ]
    )
    _, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert (
        "certificate identity cody@soyland.com" in err and "--certificate-identity-regexp '^mallory@'" in err
    )


@pytest.mark.integration
@pytest.mark.parametrize("command", ["verify", "image"])
def test_verify_and_image_policy_apply_the_regexps(
    tls_registry: LiveRegistry,
    attested_empty_image: str,  # noqa: F811  (the imported fixture)
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    """The image carries only an attestation bundle: with matching regexps the identity passes
    and the bundle is refused as not a signature; with a wrong issuer regexp the identity fails."""
    extra = ["--require-signature", "--scanners", "secret", "-q"] if command == "image" else []
    fails = 2 if command == "image" else 1
    base = [command, attested_empty_image, *extra, *_auth(tls_registry)]
    assert main([*base, *CODY, *OAUTH_RE]) == fails
    _, err = capsys.readouterr()
    assert "not https://sigstore.dev/cosign/sign/v1" in err and "does not match" not in err
    assert (
        main([*base, *CODY, "--certificate-oidc-issuer-regexp", r"^https://accounts\.google\.com$"]) == fails
    )
    _, err = capsys.readouterr()
    assert f"(OIDC issuer {GITHUB_OAUTH}): issuer does not match --certificate-oidc-issuer-regexp" in err


@pytest.mark.parametrize("command", ["verify", "verify-attestation", "image"])
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((*CODY, "--certificate-identity", "cody@soyland.com", *OAUTH_RE), "not both"),
        (CODY, "needs --certificate-oidc-issuer or --certificate-oidc-issuer-regexp"),
        (OAUTH_RE, "needs --certificate-identity or --certificate-identity-regexp"),
        (("--certificate-identity-regexp", "(unclosed", *OAUTH_RE), "not a regular expression"),
        ((*CODY, *OAUTH_RE, "--key", "cosign.pub"), "not both"),
        (("--certificate-github-workflow-ref", "refs/heads/main", *OAUTH_RE), "needs --certificate-identity"),
        (("--key", "cosign.pub", "--certificate-github-workflow-repository", "a/b"), "not both"),
    ],
)
def test_identity_option_errors_exit_2(
    capsys: pytest.CaptureFixture[str], command: str, argv: tuple[str, ...], message: str
) -> None:
    extra = ["--require-signature"] if command == "image" else []
    code = main([command, "registry.invalid/a/b:1", *extra, *argv])
    _, err = capsys.readouterr()
    assert code == 2 and message in err and "Traceback" not in err


def test_github_workflow_extensions_must_match(shared_dir: Path) -> None:
    """The wheel's certificate records repository trailofbits/rfc8785.py, ref refs/tags/v0.1.2,
    trigger and name `release`, and a commit SHA (GitHub Actions extensions .1.2 to .1.6)."""
    bundle = (shared_dir / f"{WHEEL}.sigstore").read_bytes()
    wheel = (shared_dir / WHEEL).read_bytes()
    root = keyless.load_trusted_root()
    recorded = (
        ("repository", "trailofbits/rfc8785.py"),
        ("ref", "refs/tags/v0.1.2"),
        ("trigger", "release"),
        ("name", "release"),
        ("sha", "d8b4a6445f38c48b9137a8099706d9b8073146e4"),
    )
    wanted = keyless.Identity(
        identity_regexp=r"^https://github\.com/trailofbits/", issuer=GITHUB_ACTIONS, github_workflow=recorded
    )
    keyless.verify_bundle(bundle, wanted, root, wheel)
    exact = keyless.Identity(identity=WHEEL_IDENTITY, issuer=GITHUB_ACTIONS, github_workflow=recorded[:1])
    keyless.verify_bundle(bundle, exact, root, wheel)
    for field, value in (("repository", "evil/rfc8785.py"), ("ref", "refs/heads/main")):
        other = keyless.Identity(
            identity=WHEEL_IDENTITY, issuer=GITHUB_ACTIONS, github_workflow=((field, value),)
        )
        with pytest.raises(
            VerificationFailed,
            match=f"does not match \\(got '{dict(recorded)[field]}', expected '{value}'\\)",
        ):
            keyless.verify_bundle(bundle, other, root, wheel)


def test_github_workflow_check_on_a_certificate_without_the_extension(shared_dir: Path) -> None:
    identity = keyless.Identity(
        identity="mitr@redhat.com", issuer=GITHUB_OAUTH, github_workflow=(("repository", "containers/image"),)
    )
    with pytest.raises(SigningError, match="does not contain GitHubWorkflowRepository"):
        _check_cosign_v2_signature(shared_dir, identity)


@pytest.mark.integration
def test_verify_attestation_github_workflow_option(
    tls_registry: LiveRegistry,
    attested_empty_image: str,  # noqa: F811  (the imported fixture)
    capsys: pytest.CaptureFixture[str],
) -> None:
    """cosign's test bundle was signed by a GitHub OAuth user: a workflow requirement fails."""
    argv = ["verify-attestation", attested_empty_image, *CODY, *OAUTH_RE, *_auth(tls_registry)]
    assert main([*argv, "--certificate-github-workflow-repository", "sigstore/cosign"]) == 1
    _, err = capsys.readouterr()
    assert "does not contain GitHubWorkflowRepository" in err and "Traceback" not in err
