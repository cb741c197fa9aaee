"""`docker save` / `skopeo copy docker-archive:` tarballs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hullguard.errors import SourceError
from hullguard.model import Digest
from hullguard.oci.manifest import check_digest
from hullguard.sources.image import BlobRef, Image, ImageConfig, make_layers
from hullguard.sources.store import ArchiveStore

MANIFEST = "manifest.json"


def is_docker_archive(store: ArchiveStore) -> bool:
    return store.exists(MANIFEST)


@contextmanager
def open_docker_archive(path: Path, tag: str | None = None) -> Iterator[Image]:
    with ArchiveStore(path) as store:
        yield read_docker_archive(store, str(path), tag)


def read_docker_archive(store: ArchiveStore, name: str, tag: str | None) -> Image:
    where = f"{name}: {MANIFEST}"
    try:
        entries = json.loads(store.read(MANIFEST))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SourceError(f"{where}: not valid JSON: {e}") from e
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise SourceError(f"{where}: expected a non-empty list of images")
    entry = _pick(entries, tag, where)
    config_name = str(entry.get("Config", ""))
    raw_config = store.read(config_name)
    config_digest = Digest("sha256:" + _sha256(raw_config))
    expected = _digest_from_name(config_name)
    if expected is not None and expected != config_digest:
        raise SourceError(f"{where}: config {config_name} does not match its digest (got {config_digest})")
    config = ImageConfig.parse(raw_config, f"{name}: {config_name}")
    blobs: list[BlobRef] = []
    for layer_name in entry.get("Layers") or ():
        layer_name = str(layer_name)
        if not store.exists(layer_name):
            raise SourceError(f"{where}: layer {layer_name} is listed but missing from the archive")
        blobs.append(
            BlobRef(
                _digest_from_name(layer_name),
                "application/vnd.docker.image.rootfs.diff.tar",
                None,
                store.opener(layer_name),
                store.region(layer_name),
            )
        )
    tags = tuple(str(t) for t in entry.get("RepoTags") or ())
    return Image(
        name=tags[0] if tags else name,
        manifest_digest=None,
        config_digest=config_digest,
        config=config,
        raw_config=raw_config,
        layers=make_layers(config, blobs, name),
        repo_tags=tags,
    )


def _pick(entries: list[dict[str, Any]], tag: str | None, where: str) -> dict[str, Any]:
    if tag is None:
        return entries[0]
    for entry in entries:
        if tag in (entry.get("RepoTags") or ()):
            return entry
    raise SourceError(f"{where}: no image tagged {tag!r}")


def _digest_from_name(name: str) -> Digest | None:
    """`blobs/sha256/<hex>` and `<hex>.json` names carry their digest; older names do not."""
    parts = name.split("/")
    if len(parts) == 3 and parts[0] == "blobs":
        return check_digest(f"{parts[1]}:{parts[2]}", name)
    stem = parts[-1].removesuffix(".json")
    if len(parts) == 1 and len(stem) == 64 and all(c in "0123456789abcdef" for c in stem):
        return Digest(f"sha256:{stem}")
    return None


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
