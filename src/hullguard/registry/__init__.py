"""OCI distribution 1.1 client, registry credentials, and the registry audit.

The stable API (other packages import only these names from `hullguard.registry`):

    from hullguard.registry import RegistryClient, RegistryOptions, parse_reference

    ref = parse_reference("127.0.0.1:5000/team/app:1.0")      # Reference(registry, repository, tag, digest)
    opts = RegistryOptions(ca_cert=Path("ca.pem"), username="u", password="p")
    with RegistryClient.for_reference(ref, opts) as client:
        digest = client.resolve(ref)                             # tag -> sha256 digest
        m = client.get_manifest(ref.with_digest(digest))         # FetchedManifest: raw, digest, media_type, parsed
        cfg = client.read_blob(ref.repository, m.parsed.config.digest)   # small blob, verified
        with client.open_blob(ref.repository, layer.digest) as f: ...    # stream; EOF verifies the digest
        client.push_blob(ref.repository, b"payload")             # monolithic; chunk_size=N or a stream: chunked
        client.put_manifest(ref.repository, "sha256-<hex>.sig", raw, OCI_MANIFEST)
        client.list_tags(ref.repository); client.catalog()
        client.referrers(ref.repository, digest)                 # API, else the sha256-<hex> tag index
        client.head_manifest(ref)                                # ManifestHead or None when absent
        client.blob_exists(repo, digest); client.delete_manifest(repo, digest)
        loc = client.start_upload(repo); client.cancel_upload(repo, loc)   # raw upload sessions
        client.mount_blob(repo, digest, other_repo)              # cross-repository mount -> bool

`RegistryOptions(anonymous=True)` never sends credentials. `hullguard.registry.audit`
(`audit_registry`) holds the registry audit; `tls.probe_tls` what a TLS endpoint presents.

Every failure is a `RegistryError` (a `hullguard.errors.SourceError`, so exit 2 in the CLI)
with `status` and a `hint`; `NotFound` (404) and `Unauthorized` (401/403) are subclasses.
`hullguard.sources.registry.registry_options(source_options)` turns the image command's
SourceOptions into RegistryOptions.
"""

from __future__ import annotations

from hullguard.registry.client import (
    CATALOG_SCOPE,
    MANIFEST_ACCEPT,
    FetchedManifest,
    ManifestHead,
    Referrer,
    RegistryClient,
    fallback_tag,
    pull_scope,
    push_scope,
)
from hullguard.registry.errors import NotFound, RegistryError, Unauthorized
from hullguard.registry.reference import Reference, parse_reference, parse_registry_url
from hullguard.registry.transport import RegistryOptions, password_from_env

__all__ = [
    "CATALOG_SCOPE",
    "MANIFEST_ACCEPT",
    "FetchedManifest",
    "ManifestHead",
    "NotFound",
    "Reference",
    "Referrer",
    "RegistryClient",
    "RegistryError",
    "RegistryOptions",
    "Unauthorized",
    "fallback_tag",
    "parse_reference",
    "parse_registry_url",
    "password_from_env",
    "pull_scope",
    "push_scope",
]
