"""OCI image layouts, as a directory or a tar (`skopeo copy ... oci:` / `oci-archive:`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hullguard.errors import DigestMismatch, SourceError
from hullguard.sources.image import BlobRef, Image, ImageConfig, make_layers
from hullguard.sources.manifest import (
    REF_NAME,
    Descriptor,
    Index,
    Manifest,
    Platform,
    check_layers,
    parse_any,
    parse_json,
    pick_platform,
)
from hullguard.sources.store import ArchiveStore, blob_path

MAX_NESTING = 4


def is_oci_layout(store: ArchiveStore) -> bool:
    return store.exists("index.json") and store.exists("oci-layout")


@contextmanager
def open_oci_layout(path: Path, tag: str | None, platform: Platform) -> Iterator[Image]:
    with ArchiveStore(path) as store:
        yield read_oci_layout(store, str(path), tag, platform)


def read_blob(store: ArchiveStore, desc: Descriptor, where: str) -> bytes:
    name = blob_path(desc.digest)
    if not store.exists(name):
        raise SourceError(f"{where}: blob {desc.digest} is missing")
    data = store.read(name)
    algo, _, expected = desc.digest.partition(":")
    actual = hashlib.new(algo, data).hexdigest()
    if actual != expected:
        raise DigestMismatch(f"{where}: blob {name}", desc.digest, f"{algo}:{actual}")
    return data


def read_oci_layout(store: ArchiveStore, name: str, tag: str | None, platform: Platform) -> Image:
    layout = parse_json(store.read("oci-layout"), f"{name}: oci-layout")
    if layout.get("imageLayoutVersion") != "1.0.0":
        raise SourceError(f"{name}: unsupported imageLayoutVersion {layout.get('imageLayoutVersion')!r}")
    top = parse_any(
        store.read("index.json"), f"{name}: index.json", media_type="application/vnd.oci.image.index.v1+json"
    )
    if not isinstance(top, Index):
        raise SourceError(f"{name}: index.json is not an image index")
    descs = [d for d in top.manifests if tag is None or d.annotation(REF_NAME) == tag]
    if not descs:
        tags = ", ".join(sorted({d.annotation(REF_NAME) or "" for d in top.manifests} - {""})) or "none"
        raise SourceError(f"{name}: no image tagged {tag!r} (tags: {tags})")
    index = Index(media_type=top.media_type, manifests=tuple(descs))
    desc = pick_platform(index, platform, name) if len(descs) > 1 else descs[0]
    for _ in range(MAX_NESTING):
        doc = parse_any(read_blob(store, desc, name), f"{name}: {desc.digest}", desc.media_type)
        if isinstance(doc, Manifest):
            return _image(store, name, desc, doc, tag)
        desc = pick_platform(doc, platform, name)
    raise SourceError(f"{name}: indexes nested deeper than {MAX_NESTING}")


def _image(store: ArchiveStore, name: str, desc: Descriptor, manifest: Manifest, tag: str | None) -> Image:
    check_layers(manifest, name)
    raw_config = read_blob(store, manifest.config, f"{name} config")
    config = ImageConfig.parse(raw_config, f"{name}: config {manifest.config.digest}")
    blobs: list[BlobRef] = []
    for layer in manifest.layers:
        if not store.exists(blob_path(layer.digest)):
            raise SourceError(f"{name}: layer blob {layer.digest} is missing")
        name = blob_path(layer.digest)
        blobs.append(BlobRef(layer.digest, layer.media_type, layer.size, store.opener(name), store.region(name)))
    return Image(
        name=f"{name}:{tag}" if tag else name,
        manifest_digest=desc.digest,
        config_digest=manifest.config.digest,
        config=config,
        raw_config=raw_config,
        layers=make_layers(config, blobs, name),
        repo_tags=(tag,) if tag else (),
        annotations=manifest.annotations,
    )
