"""Keyless verification of Sigstore bundles, offline, through sigstore-python.

Why sigstore-python: a bundle is checked by building the Fulcio certificate chain at the time
the transparency log (or a timestamp authority) vouches for, checking the log entry's signed
promise or inclusion proof and its consistency with the signature, and matching the
certificate's SAN and OIDC-issuer extensions. That is Sigstore's reference verifier for
Python, kept by the Sigstore project and tested against sigstore-conformance; writing our own
would be security-critical code with no second reader. We call only its public verification
API (`Verifier`, `Bundle`, `TrustedRoot`, `policy.Identity`) and never let it reach the
network: the trust root is the one embedded in the installed package, or a file the user gives.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from hullguard.signing.errors import SigningError, VerificationFailed

if TYPE_CHECKING:  # sigstore is imported only when a bundle is verified: it is slow to load
    from sigstore.models import TrustedRoot

PRODUCTION_TUF = "https://tuf-repo-cdn.sigstore.dev"
STAGING_TUF = "https://tuf-repo-cdn.sigstage.dev"
MAX_BUNDLE = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """Who must have signed: the certificate's SAN and the OIDC issuer that vouched for it, each
    given exactly or as a cosign-style regular expression (see `identity_match`)."""

    identity: str | None = None
    issuer: str | None = None
    identity_regexp: str | None = None
    issuer_regexp: str | None = None
    github_workflow: tuple[tuple[str, str], ...] = ()
    """Exact values the GitHub Actions extensions must have: (trigger|sha|name|repository|ref, value)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedBundle:
    payload_type: str | None
    """For DSSE bundles: the envelope's payload type and payload; None for message signatures."""
    payload: bytes | None
    identity: Identity


@dataclass(frozen=True, slots=True)
class TrustRoot:
    """A Sigstore trusted root: its JSON document (for the legacy checks in `legacy.py`) and
    sigstore-python's view of it (for bundles)."""

    document: dict[str, Any]
    sigstore: TrustedRoot


def load_trusted_root(path: Path | None = None, staging: bool = False) -> TrustRoot:
    """The trust root: a file the user names, else the one sigstore-python embeds (no TUF refresh,
    no cache writes, so the result does not depend on what an earlier online run left behind)."""
    from sigstore.errors import Error as SigstoreError
    from sigstore.models import TrustedRoot

    where = f"--trusted-root {path}"
    try:
        if path is None:
            where = "sigstore-python's embedded trusted root"
            url = STAGING_TUF if staging else PRODUCTION_TUF
            raw = (
                resources.files("sigstore._store")
                .joinpath(quote(url, safe=""), "trusted_root.json")
                .read_bytes()
            )
        else:
            raw = path.read_bytes()
        document = json.loads(raw)
        with tempfile.TemporaryDirectory() as folder:  # sigstore-python reads trust roots from files only
            copy = Path(folder) / "trusted_root.json"
            copy.write_bytes(raw)
            return TrustRoot(document=document, sigstore=TrustedRoot.from_file(str(copy)))
    except OSError as e:
        raise SigningError(f"{where}: {e.strerror}") from e
    except (SigstoreError, ValueError) as e:
        raise SigningError(f"{where}: not a Sigstore trusted root: {e}") from e


def verify_bundle(
    bundle_json: bytes,
    identity: Identity,
    trusted_root: TrustRoot,
    artifact: bytes | None = None,
    where: str = "bundle",
) -> VerifiedBundle:
    """Verify a Sigstore bundle against `identity`; with `artifact`, a message-signature bundle
    over it, else a DSSE bundle whose payload is returned for the caller to check."""
    from sigstore.errors import Error as SigstoreError
    from sigstore.models import Bundle
    from sigstore.verify import Verifier

    from hullguard.signing import identity_match

    if len(bundle_json) > MAX_BUNDLE:
        raise SigningError(f"{where}: {len(bundle_json)} bytes is too large for a Sigstore bundle")
    from hullguard.signing import legacy

    try:
        document = json.loads(bundle_json)
    except ValueError as e:
        raise VerificationFailed(f"{where}: not a usable Sigstore bundle: not JSON: {e}") from e
    if isinstance(document, dict) and legacy.needs_promise_path(document):
        try:
            kind, payload = legacy.verify_bundle_by_promise(document, identity, trusted_root, artifact, where)
        except SigningError as e:
            raise VerificationFailed(f"Sigstore bundle rejected: {e}") from e
        return VerifiedBundle(payload_type=kind, payload=payload, identity=identity)
    try:
        bundle = Bundle.from_json(bundle_json)
    except (SigstoreError, ValueError) as e:
        raise VerificationFailed(f"{where}: not a usable Sigstore bundle: {e}") from e
    verifier = Verifier(trusted_root=trusted_root.sigstore)
    wanted = identity_match.policy(identity)
    try:
        if artifact is not None:
            verifier.verify_artifact(artifact, bundle, wanted)
            return VerifiedBundle(payload_type=None, payload=None, identity=identity)
        payload_type, payload = verifier.verify_dsse(bundle, wanted)
    except (SigstoreError, ValueError) as e:
        raise VerificationFailed(f"{where}: Sigstore bundle rejected: {e}") from e
    return VerifiedBundle(payload_type=payload_type, payload=payload, identity=identity)


def is_dsse_bundle(bundle_json: bytes) -> bool:
    try:
        return "dsseEnvelope" in json.loads(bundle_json)
    except ValueError:
        return False
