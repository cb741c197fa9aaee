"""Does a Fulcio certificate name the signer the user expects? Exactly, or by regular expression.

`--certificate-identity` / `--certificate-oidc-issuer` compare exactly (sigstore-python's own
`policy.Identity`, unchanged). `--certificate-identity-regexp` /
`--certificate-oidc-issuer-regexp` do what cosign does with them: cosign compiles the pattern
with Go's `regexp` and calls `MatchString` (in `pkg/cosign/verify.go`, and in sigstore-go's
SAN and issuer matchers that cosign v3 uses), which is an *unanchored* search — the pattern may
match anywhere in the value. We use Python's `re.search` so that a policy written for cosign
selects the same certificates: `@example\\.com` matches `alice@example.com` but also
`alice@example.com.evil.test`. Anchor the pattern (`^...$`) to match the whole value.

Patterns use Python's `re` syntax, which agrees with Go's RE2 for the patterns these options
are used with (literals, classes, `.*`, `+`, `?`, `{n}`, `|`, groups, `^`, `$`); Python also
accepts look-arounds and back-references, which cosign refuses. One difference: Python's `$`
also matches before a final newline; Fulcio does not issue identities that end in one.

`--certificate-github-workflow-{trigger,sha,name,repository,ref}` compare exactly with the
GitHub Actions extensions Fulcio writes (1.3.6.1.4.1.57264.1.2 to .6), as cosign's
`CheckCertificatePolicy` does, through sigstore-python's `GitHubWorkflow*` policies.

The identity is any SAN of type e-mail, URI or Sigstore's "other name" (as sigstore-python
and cosign's classic path check); the issuer is the OIDC-issuer extension, its v2 form
(1.3.6.1.4.1.57264.1.8, a DER UTF8String) when present, else the v1 form (raw text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hullguard.signing.der import read_tlv
from hullguard.signing.errors import SigningError

if TYPE_CHECKING:
    from cryptography import x509
    from sigstore.verify.policy import VerificationPolicy

    from hullguard.signing.keyless import Identity

OTHERNAME_SAN = "1.3.6.1.4.1.57264.1.7"
ISSUER_V1 = "1.3.6.1.4.1.57264.1.1"
ISSUER_V2 = "1.3.6.1.4.1.57264.1.8"
UTF8_STRING = 0x0C


class IdentityError(SigningError):
    """The identity options are incomplete, contradictory, or a pattern does not compile."""


GITHUB_WORKFLOW = ("trigger", "sha", "name", "repository", "ref")


def check_options(identity: Identity) -> None:
    """Exactly one form (exact or regexp) for the identity and one for the issuer; patterns compile."""
    for name, exact, pattern in (
        ("--certificate-identity", identity.identity, identity.identity_regexp),
        ("--certificate-oidc-issuer", identity.issuer, identity.issuer_regexp),
    ):
        if exact is not None and pattern is not None:
            raise IdentityError(f"give {name} or {name}-regexp, not both")
        if exact is None and pattern is None:
            raise IdentityError(f"keyless verification needs {name} or {name}-regexp")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as e:
                raise IdentityError(f"{name}-regexp {pattern!r}: not a regular expression: {e}") from e
    for field, _ in identity.github_workflow:
        if field not in GITHUB_WORKFLOW:
            raise IdentityError(
                f"unknown GitHub workflow field {field!r}: one of {', '.join(GITHUB_WORKFLOW)}"
            )


def policy(identity: Identity) -> VerificationPolicy:
    """The sigstore-python verification policy for `identity` (raises its VerificationError)."""
    from sigstore.verify import policy as sigstore_policy

    check_options(identity)
    base: VerificationPolicy
    if identity.identity is not None and identity.issuer is not None:
        base = sigstore_policy.Identity(identity=identity.identity, issuer=identity.issuer)
    else:
        base = PatternPolicy(identity)
    if not identity.github_workflow:
        return base
    workflow = {
        "trigger": sigstore_policy.GitHubWorkflowTrigger,
        "sha": sigstore_policy.GitHubWorkflowSHA,
        "name": sigstore_policy.GitHubWorkflowName,
        "repository": sigstore_policy.GitHubWorkflowRepository,
        "ref": sigstore_policy.GitHubWorkflowRef,
    }
    checks: list[VerificationPolicy] = [workflow[field](value) for field, value in identity.github_workflow]
    return sigstore_policy.AllOf([base, *checks])


@dataclass(frozen=True, slots=True)
class PatternPolicy:
    """An identity where the SAN, the issuer, or both are given as cosign-style regexps."""

    wanted: Identity

    def verify(self, cert: x509.Certificate) -> None:
        from sigstore.errors import VerificationError

        sans = subject_alternative_names(cert)
        issuer = oidc_issuer(cert)
        found = f"certificate identity {', '.join(sans) or '(none)'} (OIDC issuer {issuer or '(none)'})"
        if issuer is None or not _matches(issuer, self.wanted.issuer, self.wanted.issuer_regexp):
            raise VerificationError(f"{found}: issuer does not match {self._wanted_issuer()}")
        if not any(_matches(san, self.wanted.identity, self.wanted.identity_regexp) for san in sans):
            raise VerificationError(f"{found}: no SAN matches {self._wanted_identity()}")

    def _wanted_issuer(self) -> str:
        if self.wanted.issuer_regexp is not None:
            return f"--certificate-oidc-issuer-regexp {self.wanted.issuer_regexp!r}"
        return f"--certificate-oidc-issuer {self.wanted.issuer!r}"

    def _wanted_identity(self) -> str:
        if self.wanted.identity_regexp is not None:
            return f"--certificate-identity-regexp {self.wanted.identity_regexp!r}"
        return f"--certificate-identity {self.wanted.identity!r}"


def _matches(value: str, exact: str | None, pattern: str | None) -> bool:
    if pattern is not None:
        return re.search(pattern, value) is not None
    return value == exact


def subject_alternative_names(cert: x509.Certificate) -> list[str]:
    """The SANs an identity can be: e-mail addresses, URIs and Sigstore "other names"."""
    from cryptography import x509

    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    found: list[str] = list(names.get_values_for_type(x509.RFC822Name))
    found += names.get_values_for_type(x509.UniformResourceIdentifier)
    for other in names.get_values_for_type(x509.OtherName):
        if other.type_id.dotted_string == OTHERNAME_SAN:
            try:
                tag, content, _ = read_tlv(other.value, 0)
            except SigningError:
                continue
            if tag == UTF8_STRING:
                found.append(content.decode("utf-8", "replace"))
    return found


def oidc_issuer(cert: x509.Certificate) -> str | None:
    """The OIDC issuer Fulcio recorded: the v2 extension (DER UTF8String), else the v1 one."""
    from cryptography import x509

    for oid, wrapped in ((ISSUER_V2, True), (ISSUER_V1, False)):
        try:
            ext = cert.extensions.get_extension_for_oid(x509.ObjectIdentifier(oid)).value
        except x509.ExtensionNotFound:
            continue
        raw = ext.value if isinstance(ext, x509.UnrecognizedExtension) else b""
        if not wrapped:
            return raw.decode("utf-8", "replace")
        try:
            tag, content, _ = read_tlv(raw, 0)
        except SigningError:
            continue
        if tag == UTF8_STRING:
            return content.decode("utf-8", "replace")
    return None
