"""The database as an OCI artifact, for sites that mirror it instead of reaching osv.dev.

`push` uploads the SQLite file (gzip) as the one layer of an OCI manifest of its own artifact
type, with the creation time, the database schema and the sources it was imported from in
the manifest's annotations. `pull` takes it back: the manifest's digest and the layer's are
verified as they stream in, the file must open as a database of this schema, and only then
does it replace the local one (atomically), with where it came from recorded in it."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from hullguard.errors import Error
from hullguard.model import Digest
from hullguard.registry import RegistryClient, RegistryOptions, parse_reference
from hullguard.vulndb import store

ARTIFACT_TYPE = "application/vnd.hullguard.vulndb.v1"
LAYER_TYPE = "application/vnd.hullguard.vulndb.v1.sqlite+gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
EMPTY_TYPE = "application/vnd.oci.empty.v1+json"
EMPTY = b"{}"
A_CREATED = "org.opencontainers.image.created"
A_SOURCES = "dev.hullguard.vulndb.sources"
A_SCHEMA = "dev.hullguard.vulndb.schema"
A_NEWEST = "dev.hullguard.vulndb.newest-modified"
MAX_DATABASE = 8 << 30
"""A pulled database is capped: the whole OSV export of every ecosystem is well under 8 GiB."""
CHUNK = 8 << 20


class ArtifactError(Error):
    """A pushed or pulled database artifact is not what it should be."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Published:
    reference: str
    digest: Digest
    size: int
    created: str


def push(
    path: Path,
    target: str,
    options: RegistryOptions,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Published:
    """Publish the database at PATH as REGISTRY/REPO:TAG."""
    ref = parse_reference(target)
    if ref.digest or not ref.tag:
        raise ArtifactError(f"{target}: push needs a tag (REGISTRY/REPO:TAG), not a digest")
    with store.opened(path) as conn:
        sources = [row[0] for row in conn.execute("SELECT location FROM sources ORDER BY location")]
        newest = conn.execute("SELECT MAX(modified) FROM advisories").fetchone()[0]
    created = now().strftime("%Y-%m-%dT%H:%M:%SZ")
    with tempfile.TemporaryFile() as packed:
        digest, size = _gzip(path, packed)
        packed.seek(0)
        with RegistryClient.for_reference(ref, options) as client:
            client.push_blob(ref.repository, EMPTY, digest=_sha256(EMPTY))
            client.push_blob(ref.repository, packed, digest=digest, chunk_size=CHUNK)
            manifest = {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "artifactType": ARTIFACT_TYPE,
                "config": {"mediaType": EMPTY_TYPE, "digest": _sha256(EMPTY), "size": len(EMPTY)},
                "layers": [
                    {
                        "mediaType": LAYER_TYPE,
                        "digest": digest,
                        "size": size,
                        "annotations": {"org.opencontainers.image.title": f"{store.DB_NAME}.gz"},
                    }
                ],
                "annotations": {
                    A_CREATED: created,
                    A_SCHEMA: store.SCHEMA_VERSION,
                    A_SOURCES: json.dumps(sources),
                    **({A_NEWEST: newest} if newest else {}),
                },
            }
            raw = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
            manifest_digest = client.put_manifest(ref.repository, ref.tag, raw, OCI_MANIFEST)
    return Published(reference=str(ref), digest=manifest_digest, size=size, created=created)


def pull(path: Path, source: str, options: RegistryOptions) -> Published:
    """Replace the database at PATH with the artifact at REGISTRY/REPO:TAG (or @digest)."""
    ref = parse_reference(source)
    with RegistryClient.for_reference(ref, options) as client:
        fetched = client.get_manifest(ref)  # its digest is checked against the reference/header
        doc = _manifest(fetched.raw, source)
        layer = doc["layers"][0]
        annotations = doc.get("annotations") or {}
        schema = annotations.get(A_SCHEMA)
        if schema != store.SCHEMA_VERSION:
            raise ArtifactError(
                f"{source}: a database of schema {schema}, this hullguard reads {store.SCHEMA_VERSION}; "
                "push it again with this version"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.pull")
        try:
            with client.open_blob(ref.repository, Digest(layer["digest"]), size=layer.get("size")) as stream:
                _gunzip(stream, temp, source)  # reading to the end verifies the layer digest
            created = str(annotations.get(A_CREATED, ""))
            origin = f"{ref.registry}/{ref.repository}{':' + ref.tag if ref.tag else ''}@{fetched.digest}"
            _record_origin(temp, origin, created)
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
    return Published(reference=origin, digest=fetched.digest, size=int(layer.get("size", 0)), created=created)


def _manifest(raw: bytes, source: str) -> dict[str, Any]:
    try:
        doc = json.loads(raw)
    except ValueError as e:
        raise ArtifactError(f"{source}: manifest is not JSON: {e}") from e
    layers = doc.get("layers") if isinstance(doc, dict) else None
    kind = doc.get("artifactType") if isinstance(doc, dict) else None
    if kind != ARTIFACT_TYPE or not isinstance(layers, list) or len(layers) != 1:
        raise ArtifactError(
            f"{source}: not a hullguard vulnerability database (artifact type {kind!r}, "
            f"expected {ARTIFACT_TYPE}); publish one with `hullguard db push`"
        )
    layer = layers[0]
    if (
        not isinstance(layer, dict)
        or layer.get("mediaType") != LAYER_TYPE
        or not isinstance(layer.get("digest"), str)
    ):
        raise ArtifactError(f"{source}: its layer is not a {LAYER_TYPE}")
    checked: dict[str, Any] = doc
    return checked


class _HashingWriter:
    """Counts and hashes what goes through it to OUT: the blob's digest without a second read."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.hasher = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hasher.update(data)
        self.size += len(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def _gzip(path: Path, out: IO[bytes]) -> tuple[Digest, int]:
    writer = _HashingWriter(out)
    with path.open("rb") as src, gzip.GzipFile(fileobj=writer, mode="wb", mtime=0) as gz:
        shutil.copyfileobj(src, gz, CHUNK)
    return Digest("sha256:" + writer.hasher.hexdigest()), writer.size


def _gunzip(stream: IO[bytes], temp: Path, source: str) -> None:
    written = 0
    try:
        with gzip.GzipFile(fileobj=stream, mode="rb") as gz, temp.open("wb") as out:
            while chunk := gz.read(CHUNK):
                written += len(chunk)
                if written > MAX_DATABASE:
                    raise ArtifactError(f"{source}: the database is over the {MAX_DATABASE >> 30} GiB cap")
                out.write(chunk)
        stream.read()  # to the end: the digest check runs there
    except (OSError, EOFError) as e:
        raise ArtifactError(f"{source}: the database layer is not valid gzip: {e}") from e


def _record_origin(path: Path, origin: str, created: str) -> None:
    try:
        conn = store.connect(path)
    except store.DatabaseError as e:
        raise ArtifactError(f"pulled database: {e.diagnostics()}") from e
    try:
        conn.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)", (("origin", origin), ("origin_created", created))
        )
    except sqlite3.DatabaseError as e:
        raise ArtifactError(f"pulled database: {e}") from e
    finally:
        conn.close()


def _sha256(data: bytes) -> Digest:
    return Digest("sha256:" + hashlib.sha256(data).hexdigest())
