"""The signature gate before an image scan, and the attestation after it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from hullguard.errors import SourceError
from hullguard.model import Report
from hullguard.pipeline.progress import Run
from hullguard.pipeline.targets import SignaturePolicy
from hullguard.sources import SourceOptions

if TYPE_CHECKING:
    from hullguard.signing import keys

# Signing and the registry client (cryptography, sigstore, httpx) load only when a policy
# asks for them: a plain scan of a local archive should not pay for their import.

LOCAL_SCHEMES = ("oci:", "oci-archive:", "docker-archive:", "docker-daemon:")


def verify_signature(ref: str, policy: SignaturePolicy, source: SourceOptions, run: Run) -> str:
    """Verify `ref`'s signature and return the verified digest's reference, so that what is
    scanned is what was verified even if the tag moves meanwhile."""
    from hullguard.signing.remote import open_target, verify_image
    from hullguard.sources.registry import registry_options

    if ref.startswith(LOCAL_SCHEMES):
        raise SourceError(f"{ref}: a signature can only be verified on a registry reference")
    with open_target(ref, registry_options(source)) as target:
        verify_image(target, key=policy.key, identity=policy.identity, root=policy.root)
        run.step("note", detail=f"Signature verified for {target.pinned}")
        return f"{target.ref.registry}/{target.ref.repository}@{target.digest}"


@dataclass(frozen=True, slots=True, kw_only=True)
class AttestPolicy:
    """After the scan, attach the report to the scanned image as an attestation signed by `key`."""

    key: keys.PrivateKey
    format: str
    """The report format, which names the predicate (json: vuln, cyclonedx, spdx-json: spdxjson)."""
    started: datetime
    """When the scan started: the predicate's scan start time."""


def attest_report(
    ref: str, report: Report, rendered: str, policy: AttestPolicy, source: SourceOptions, now: datetime
) -> str:
    """Attest the scanned manifest's digest with the rendered report (the very bytes the user
    gets: an SBOM rendered twice would differ in its serial number and timestamp). Returns
    what was attested, for the caller to tell."""
    from hullguard.registry import parse_reference
    from hullguard.signing.predicates import report_predicate
    from hullguard.signing.remote import attest_image, open_target
    from hullguard.sources.registry import registry_options

    if report.artifact.digest is None:
        raise SourceError(f"{ref}: the scan did not record a manifest digest to attest")
    kind, predicate = report_predicate(policy.format, json.loads(rendered), policy.started, now)
    parsed = parse_reference(ref)
    pinned = f"{parsed.registry}/{parsed.repository}@{report.artifact.digest}"
    with open_target(pinned, registry_options(source)) as target:
        attest_image(target, policy.key, kind, predicate)
        return f"Attested {target.pinned} ({kind})"
