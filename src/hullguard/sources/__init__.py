"""Sources open a target (archive, layout, registry, daemon, directory) as an `Image` or a tree."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hullguard.errors import SourceError
from hullguard.oci.manifest import Platform
from hullguard.sources.docker_archive import is_docker_archive, read_docker_archive
from hullguard.sources.image import Image
from hullguard.sources.oci_layout import is_oci_layout, read_oci_layout
from hullguard.sources.store import ArchiveStore


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceOptions:
    platform: Platform = field(default_factory=lambda: Platform(os="linux", architecture="amd64"))
    insecure: bool = False
    ca_cert: Path | None = None
    username: str | None = None
    password: str | None = None
    client_cert: Path | None = None
    client_key: Path | None = None


@contextmanager
def open_image(target: str, options: SourceOptions) -> Iterator[Image]:
    """Open TARGET as Trivy users write it: a path, `oci:DIR[:TAG]`, `docker-archive:FILE`,
    `docker-daemon:NAME`, or a registry reference."""
    scheme, _, rest = target.partition(":")
    if scheme == "docker-daemon" and rest:
        from hullguard.sources.daemon import open_daemon_image

        with open_daemon_image(rest, options) as image:
            yield image
        return
    if scheme in ("oci", "oci-archive", "docker-archive") and rest:
        path, tag = _split_tag(rest)
        with _open_archive(Path(path), tag, options) as image:
            yield image
        return
    if Path(target).exists():
        with _open_archive(Path(target), None, options) as image:
            yield image
        return
    path, tag = _split_tag(target)
    if tag is not None and Path(path).exists():
        with _open_archive(Path(path), tag, options) as image:
            yield image
        return
    if target.startswith(("/", "./", "../", "~")) or target.endswith(ARCHIVE_SUFFIXES):
        raise SourceError(f"{target}: no such file or directory")
    # Anything else is a registry reference, as Trivy and docker read it: `alpine` is
    # docker.io/library/alpine:latest.
    from hullguard.sources.registry import open_registry_image

    with open_registry_image(target, options) as image:
        yield image


ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".oci")
"""Names that can only be files: a missing one is a typo, not an image in Docker Hub."""


def _split_tag(text: str) -> tuple[str, str | None]:
    if ":" in text and not Path(text).exists():
        path, _, tag = text.rpartition(":")
        return path, tag
    return text, None


@contextmanager
def _open_archive(path: Path, tag: str | None, options: SourceOptions) -> Iterator[Image]:
    if not path.exists():
        raise SourceError(f"{path}: no such file or directory")
    with ArchiveStore(path) as store:
        if is_docker_archive(store):
            yield read_docker_archive(store, str(path), tag)
        elif is_oci_layout(store):
            yield read_oci_layout(store, str(path), tag, options.platform)
        else:
            raise SourceError(
                f"{path}: neither a docker-archive (no manifest.json) nor an OCI layout (no oci-layout/index.json)"
            )
