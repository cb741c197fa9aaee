"""Images in a registry: the manifest resolved for the platform, layers streamed and verified."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from hullguard.errors import SourceError
from hullguard.model import Digest
from hullguard.oci.manifest import Index, Manifest, check_layers, pick_platform
from hullguard.registry import FetchedManifest, Reference, RegistryClient, RegistryOptions, parse_reference
from hullguard.registry.transport import password_from_env
from hullguard.sources import SourceOptions
from hullguard.sources.image import BlobRef, Image, ImageConfig, make_layers

MAX_NESTING = 4
MAX_CONFIG_BYTES = 16 << 20


def registry_options(options: SourceOptions) -> RegistryOptions:
    return RegistryOptions(
        insecure=options.insecure,
        ca_cert=options.ca_cert,
        client_cert=options.client_cert,
        client_key=options.client_key,
        username=options.username,
        password=password_from_env(options.username, options.password),
    )


@contextmanager
def open_registry_image(target: str, options: SourceOptions) -> Iterator[Image]:
    """Open `host[:port]/repo[:tag][@digest]`; the client stays open while layers are read."""
    ref = parse_reference(target)
    with RegistryClient.for_reference(ref, registry_options(options)) as client:
        yield read_registry_image(client, ref, options)


def read_registry_image(client: RegistryClient, ref: Reference, options: SourceOptions) -> Image:
    fetched = client.get_manifest(ref)
    top = fetched.digest
    for _ in range(MAX_NESTING):
        doc = fetched.parsed
        if isinstance(doc, Manifest):
            return _image(client, ref, fetched, doc, top)
        assert isinstance(doc, Index)
        chosen = pick_platform(doc, options.platform, str(ref))
        fetched = client.get_manifest(ref.with_digest(chosen.digest))
    raise SourceError(f"{ref}: indexes nested deeper than {MAX_NESTING}")


def _image(
    client: RegistryClient, ref: Reference, fetched: FetchedManifest, manifest: Manifest, top: Digest
) -> Image:
    """`top` is what the reference resolved to (an index, for multi-platform images)."""
    where = f"{ref.registry}/{ref.repository}@{fetched.digest}"
    check_layers(manifest, where)
    raw_config = client.read_blob(ref.repository, manifest.config.digest, cap=MAX_CONFIG_BYTES)
    config = ImageConfig.parse(raw_config, f"{where} config")
    blobs = [
        BlobRef(
            layer.digest,
            layer.media_type,
            layer.size,
            _opener(client, ref.repository, layer.digest, layer.size),
        )
        for layer in manifest.layers
    ]
    name = f"{ref.registry}/{ref.repository}"
    shown = f"{name}:{ref.tag}" if ref.tag else f"{name}@{top}"
    return Image(
        name=shown,
        manifest_digest=fetched.digest,
        config_digest=manifest.config.digest,
        config=config,
        raw_config=raw_config,
        layers=make_layers(config, blobs, where),
        repo_tags=(f"{name}:{ref.tag}",) if ref.tag else (),
        repo_digests=(f"{name}@{top}",),
    )


def _opener(client: RegistryClient, repository: str, digest: Digest, size: int) -> Callable[[], IO[bytes]]:
    def open_blob() -> IO[bytes]:
        return client.open_blob(repository, digest, size=size or None)

    return open_blob
