"""RegistryClient: the OCI distribution 1.1 operations (manifests, blobs, tags, catalog, uploads, referrers)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, BinaryIO, cast
from urllib.parse import urljoin

import httpx

from hullguard.errors import DigestMismatch, SourceError
from hullguard.model import Digest
from hullguard.oci.manifest import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
    Index,
    Manifest,
    check_digest,
    parse_any,
    parse_json,
)
from hullguard.registry.errors import NotFound, RegistryError
from hullguard.registry.reference import Reference
from hullguard.registry.streams import ResponseReader, VerifiedBlob, read_capped
from hullguard.registry.transport import RegistryOptions, Transport

MANIFEST_ACCEPT = ", ".join((OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST))
MAX_MANIFEST_BYTES = 4 << 20
MAX_SMALL_BLOB_BYTES = 16 << 20
DEFAULT_CHUNK = 8 << 20
MAX_PAGES = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchedManifest:
    """A manifest or index as the registry served it, its digest verified."""

    reference: Reference
    """The reference it was fetched by, pinned to `digest`."""
    digest: Digest
    media_type: str
    raw: bytes
    parsed: Manifest | Index


@dataclass(frozen=True, slots=True, kw_only=True)
class ManifestHead:
    digest: Digest | None
    media_type: str
    size: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Referrer:
    """One entry of a referrers index: a manifest whose `subject` is the image."""

    digest: Digest
    media_type: str
    size: int
    artifact_type: str | None
    annotations: tuple[tuple[str, str], ...] = ()


def pull_scope(repository: str) -> str:
    return f"repository:{repository}:pull"


def push_scope(repository: str) -> str:
    return f"repository:{repository}:pull,push"


CATALOG_SCOPE = "registry:catalog:*"


def fallback_tag(digest: str) -> str:
    """The referrers tag schema of OCI 1.1: `sha256:abc…` -> `sha256-abc…`."""
    return digest.replace(":", "-", 1)


class RegistryClient:
    """Talks to one registry host. A context manager; not thread-safe (one per thread)."""

    def __init__(self, host: str, options: RegistryOptions | None = None, scheme: str | None = None) -> None:
        self.host = host
        self.options = options or RegistryOptions()
        self.transport = Transport(host, self.options, scheme)

    @classmethod
    def for_reference(cls, ref: Reference, options: RegistryOptions | None = None) -> RegistryClient:
        return cls(ref.api_host, options)

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    # -- API version check ------------------------------------------------------------------------

    def ping(self) -> httpx.Response:
        """GET /v2/: 200 (open) or 401 (auth needed; its challenge is in the response, not acted on)."""
        return self.transport.request("GET", "/v2/", ok=(200, 401), what="GET /v2/")

    # -- manifests --------------------------------------------------------------------------------

    def get_manifest(self, ref: Reference) -> FetchedManifest:
        what = f"manifest {ref}"
        response = self.transport.request(
            "GET",
            f"/v2/{ref.repository}/manifests/{ref.identifier}",
            scope=pull_scope(ref.repository),
            headers={"Accept": MANIFEST_ACCEPT},
            stream=True,
            what=what,
        )
        raw = read_capped(response, MAX_MANIFEST_BYTES, what)
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        expected = ref.digest or response.headers.get("docker-content-digest")
        algo = expected.split(":", 1)[0] if expected and ":" in expected else "sha256"
        if algo not in ("sha256", "sha512"):
            algo, expected = "sha256", None
        actual = Digest(f"{algo}:{hashlib.new(algo, raw).hexdigest()}")
        if expected is not None and actual != expected:
            raise DigestMismatch(what, expected, actual)
        digest = actual if algo == "sha256" else check_digest(expected, what)
        parsed = parse_any(raw, what, media_type or None)
        return FetchedManifest(
            reference=ref.with_digest(digest) if ref.digest is None else ref,
            digest=digest,
            media_type=parsed.media_type if media_type in ("", "application/json") else media_type,
            raw=raw,
            parsed=parsed,
        )

    def head_manifest(self, ref: Reference) -> ManifestHead | None:
        """The digest, type and size of a manifest without fetching it; None if it does not exist."""
        try:
            response = self.transport.request(
                "HEAD",
                f"/v2/{ref.repository}/manifests/{ref.identifier}",
                scope=pull_scope(ref.repository),
                headers={"Accept": MANIFEST_ACCEPT},
                what=f"manifest {ref}",
            )
        except NotFound:
            return None
        header = response.headers.get("docker-content-digest")
        length = response.headers.get("content-length", "")
        return ManifestHead(
            digest=check_digest(header, f"manifest {ref}") if header else None,
            media_type=response.headers.get("content-type", "").split(";")[0].strip(),
            size=int(length) if length.isdigit() else None,
        )

    def resolve(self, ref: Reference) -> Digest:
        """The digest a tag points at now (HEAD when the registry says, else GET and hash)."""
        if ref.digest:
            return ref.digest
        head = self.head_manifest(ref)
        if head is None:
            raise NotFound(f"manifest {ref}: not found on {self.host} (HTTP 404)", status=404)
        if head.digest is not None and head.digest.startswith("sha256:"):
            return head.digest
        return self.get_manifest(ref).digest

    def put_manifest(self, repository: str, tag_or_digest: str, raw: bytes, media_type: str) -> Digest:
        """Upload a manifest (or index) under a tag or its digest; returns its sha256 digest."""
        digest = Digest("sha256:" + hashlib.sha256(raw).hexdigest())
        what = f"PUT manifest {self.host}/{repository}:{tag_or_digest}"
        response = self.transport.request(
            "PUT",
            f"/v2/{repository}/manifests/{tag_or_digest}",
            scope=push_scope(repository),
            headers={"Content-Type": media_type},
            content=raw,
            ok=(200, 201, 202),
            what=what,
        )
        served = response.headers.get("docker-content-digest")
        if served and served.startswith("sha256:") and served != digest:
            raise DigestMismatch(what, digest, served)
        return digest

    def delete_manifest(self, repository: str, digest: Digest) -> None:
        self.transport.request(
            "DELETE", f"/v2/{repository}/manifests/{digest}", scope=push_scope(repository), ok=(200, 202)
        )

    # -- blobs ------------------------------------------------------------------------------------

    def open_blob(self, repository: str, digest: Digest, size: int | None = None) -> IO[bytes]:
        """A stream of the blob; reading to the end verifies its digest (DigestMismatch if not)."""
        what = f"blob {self.host}/{repository}@{digest}"
        response = self.transport.request(
            "GET", f"/v2/{repository}/blobs/{digest}", scope=pull_scope(repository), stream=True, what=what
        )
        raw = ResponseReader(response, what)
        return cast(IO[bytes], io.BufferedReader(VerifiedBlob(raw, digest, what, cap=size), 1 << 20))

    def read_blob(self, repository: str, digest: Digest, cap: int = MAX_SMALL_BLOB_BYTES) -> bytes:
        """A small blob (config, signature payload) in memory, verified and capped."""
        with self.open_blob(repository, digest) as stream:
            data = stream.read(cap + 1)
            if len(data) > cap:
                raise RegistryError(f"blob {repository}@{digest}: larger than {cap >> 20} MiB")
            stream.read()
        return data

    def blob_exists(self, repository: str, digest: Digest) -> bool:
        try:
            self.transport.request(
                "HEAD",
                f"/v2/{repository}/blobs/{digest}",
                scope=pull_scope(repository),
                what=f"blob {digest}",
            )
        except NotFound:
            return False
        return True

    def start_upload(self, repository: str) -> str:
        """POST a new upload session; returns its absolute URL (for PATCH/PUT/DELETE)."""
        response = self.transport.request(
            "POST",
            f"/v2/{repository}/blobs/uploads/",
            scope=push_scope(repository),
            ok=(202,),
            what=f"start upload to {self.host}/{repository}",
        )
        return self._location(response, "start upload")

    def mount_blob(self, repository: str, digest: Digest, source_repository: str) -> bool:
        """Link a blob another repository of this registry holds, without sending it.
        False when the registry declined (it opened an upload session instead, cancelled here)."""
        response = self.transport.request(
            "POST",
            f"/v2/{repository}/blobs/uploads/",
            scope=f"{push_scope(repository)} {pull_scope(source_repository)}",
            params={"mount": digest, "from": source_repository},
            ok=(201, 202),
            what=f"mount {digest} from {source_repository} into {self.host}/{repository}",
        )
        if response.status_code == 201:
            return True
        self.cancel_upload(repository, self._location(response, "mount"))
        return False

    def cancel_upload(self, repository: str, location: str) -> None:
        self.transport.request(
            "DELETE", location, scope=push_scope(repository), ok=(200, 204), what="cancel upload"
        )

    def push_blob(
        self,
        repository: str,
        data: bytes | BinaryIO,
        *,
        digest: Digest | None = None,
        chunk_size: int | None = None,
    ) -> Digest:
        """Upload a blob unless the registry has it: bytes go in one PUT (monolithic) unless
        `chunk_size` is given; a stream is sent in PATCH chunks and its digest computed on the way."""
        if isinstance(data, bytes):
            digest = digest or Digest("sha256:" + hashlib.sha256(data).hexdigest())
            if self.blob_exists(repository, digest):
                return digest
            if chunk_size is None:
                location = self.start_upload(repository)
                return self._finish_upload(repository, location, digest, data)
            return self._push_chunked(repository, io.BytesIO(data), digest, chunk_size)
        if digest is not None and self.blob_exists(repository, digest):
            return digest
        return self._push_chunked(repository, data, digest, chunk_size or DEFAULT_CHUNK)

    def _push_chunked(
        self, repository: str, stream: BinaryIO, digest: Digest | None, chunk_size: int
    ) -> Digest:
        location = self.start_upload(repository)
        hasher = hashlib.sha256()
        offset = 0
        while chunk := stream.read(chunk_size):
            hasher.update(chunk)
            response = self.transport.request(
                "PATCH",
                location,
                scope=push_scope(repository),
                headers={
                    "Content-Type": "application/octet-stream",
                    "Content-Range": f"{offset}-{offset + len(chunk) - 1}",
                },
                content=chunk,
                ok=(202,),
                what=f"upload chunk at {offset} to {self.host}/{repository}",
            )
            location = self._location(response, "upload chunk")
            offset += len(chunk)
        actual = Digest("sha256:" + hasher.hexdigest())
        if digest is not None and digest != actual:
            self.cancel_upload(repository, location)
            raise DigestMismatch(f"upload to {repository}", digest, actual)
        return self._finish_upload(repository, location, actual, b"")

    def _finish_upload(self, repository: str, location: str, digest: Digest, body: bytes) -> Digest:
        url = httpx.URL(location)
        url = url.copy_merge_params({"digest": digest})
        response = self.transport.request(
            "PUT",
            str(url),
            scope=push_scope(repository),
            headers={"Content-Type": "application/octet-stream"},
            content=body,
            ok=(201, 204),
            what=f"finish upload of {digest} to {self.host}/{repository}",
        )
        served = response.headers.get("docker-content-digest")
        if served and served != digest:
            raise DigestMismatch(f"upload to {repository}", digest, served)
        return digest

    def _location(self, response: httpx.Response, what: str) -> str:
        location = response.headers.get("location")
        if not location:
            raise RegistryError(f"{what}: {self.host} gave no Location for the upload session")
        return str(urljoin(str(response.url), location))

    # -- listings ---------------------------------------------------------------------------------

    def list_tags(self, repository: str, page_size: int = 1000) -> list[str]:
        return list(self._paged(f"/v2/{repository}/tags/list", "tags", pull_scope(repository), page_size))

    def catalog(self, page_size: int = 1000, limit: int | None = None) -> list[str]:
        """Repository names (at most `limit`, fetched page by page)."""
        names = self._paged("/v2/_catalog", "repositories", CATALOG_SCOPE, page_size)
        return [name for _, name in zip(range(limit), names, strict=False)] if limit else list(names)

    def _paged(self, path: str, key: str, scope: str, page_size: int) -> Iterator[str]:
        url: str | None = self.transport.url(path) + f"?n={page_size}"
        for _ in range(MAX_PAGES):
            if url is None:
                return
            response = self.transport.request("GET", url, scope=scope, what=f"GET {path}")
            doc = parse_json(response.content, f"{self.host} {path}")
            for item in doc.get(key) or ():
                if isinstance(item, str):
                    yield item
            link = _next_link(response.headers.get("link", ""))
            url = urljoin(str(response.url), link) if link else None
        raise RegistryError(f"GET {path}: more than {MAX_PAGES} pages; giving up")

    # -- referrers --------------------------------------------------------------------------------

    def referrers(self, repository: str, digest: Digest, artifact_type: str | None = None) -> list[Referrer]:
        """Manifests whose subject is `digest`: the referrers API, else the `sha256-<hex>` tag index."""
        what = f"referrers of {self.host}/{repository}@{digest}"
        params = {"artifactType": artifact_type} if artifact_type else None
        try:
            response = self.transport.request(
                "GET",
                f"/v2/{repository}/referrers/{digest}",
                scope=pull_scope(repository),
                headers={"Accept": OCI_INDEX},
                params=params,
                what=what,
            )
            raw = response.content
        except NotFound:
            ref = Reference(registry=self.host, repository=repository, tag=fallback_tag(digest))
            try:
                raw = self.get_manifest(ref).raw
            except NotFound:
                return []
        found = _parse_referrers(raw, what)
        return [r for r in found if artifact_type is None or r.artifact_type == artifact_type]


def _parse_referrers(raw: bytes, what: str) -> list[Referrer]:
    doc = parse_json(raw, what)
    result = []
    for entry in doc.get("manifests") or ():
        if not isinstance(entry, dict):
            raise SourceError(f"{what}: a referrer is not an object")
        annotations = entry.get("annotations") or {}
        result.append(
            Referrer(
                digest=check_digest(entry.get("digest"), what),
                media_type=str(entry.get("mediaType", "")),
                size=int(entry.get("size", 0) or 0),
                artifact_type=entry.get("artifactType")
                if isinstance(entry.get("artifactType"), str)
                else None,
                annotations=tuple(sorted((str(k), str(v)) for k, v in annotations.items()))
                if isinstance(annotations, dict)
                else (),
            )
        )
    return result


def _next_link(header: str) -> str | None:
    """`<url>; rel="next"` -> url."""
    for part in header.split(","):
        target, _, rest = part.partition(";")
        if 'rel="next"' in rest.replace(" ", "") or "rel=next" in rest.replace(" ", ""):
            return target.strip().strip("<>")
    return None
