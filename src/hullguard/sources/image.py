"""An opened container image: its config, history and layers, from any source."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, NamedTuple

from hullguard.errors import SourceError
from hullguard.model import Digest
from hullguard.oci.blobs import FileRegion


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryStep:
    created_by: str = ""
    empty_layer: bool = False
    created: str | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageConfig:
    """The parts of an OCI/Docker image config that scanners read."""

    os: str = ""
    architecture: str = ""
    variant: str | None = None
    user: str = ""
    env: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    exposed_ports: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    workdir: str = ""
    healthcheck: tuple[str, ...] | None = None
    history: tuple[HistoryStep, ...] = ()
    diff_ids: tuple[Digest, ...] = ()
    created: str | None = None
    """When the image was built (RFC 3339), as its config says."""

    @classmethod
    def parse(cls, raw: bytes, where: str) -> ImageConfig:
        try:
            doc = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise SourceError(f"{where}: image config is not JSON: {e}") from e
        if not isinstance(doc, dict):
            raise SourceError(f"{where}: image config is not a JSON object")
        conf = _obj(doc.get("config"))
        rootfs = _obj(doc.get("rootfs"))
        health = _obj(conf.get("Healthcheck"))
        return cls(
            os=str(doc.get("os", "")),
            created=doc.get("created") if isinstance(doc.get("created"), str) else None,
            architecture=str(doc.get("architecture", "")),
            variant=doc.get("variant") if isinstance(doc.get("variant"), str) else None,
            user=str(conf.get("User") or ""),
            env=_strs(conf.get("Env")),
            labels=tuple(sorted((str(k), str(v)) for k, v in _obj(conf.get("Labels")).items())),
            exposed_ports=tuple(sorted(_obj(conf.get("ExposedPorts")))),
            entrypoint=_strs(conf.get("Entrypoint")),
            cmd=_strs(conf.get("Cmd")),
            workdir=str(conf.get("WorkingDir") or ""),
            healthcheck=_strs(health.get("Test")) if health else None,
            history=tuple(
                HistoryStep(
                    created_by=str(h.get("created_by", "")),
                    empty_layer=bool(h.get("empty_layer", False)),
                    created=h.get("created") if isinstance(h.get("created"), str) else None,
                    comment=h.get("comment") if isinstance(h.get("comment"), str) else None,
                )
                for h in doc.get("history") or ()
                if isinstance(h, dict)
            ),
            diff_ids=tuple(Digest(str(d)) for d in rootfs.get("diff_ids") or ()),
        )

    def layer_history(self) -> tuple[HistoryStep | None, ...]:
        """The history step that made each layer, in layer order (None where unknown)."""
        steps = [h for h in self.history if not h.empty_layer]
        if len(steps) != len(self.diff_ids):
            return tuple(None for _ in self.diff_ids)
        return tuple(steps)


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strs(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LayerRef:
    index: int
    diff_id: Digest
    """sha256 of the uncompressed tar: the layer's name in reports, the same from every source."""
    digest: Digest | None
    """The blob digest (compressed), where the source's manifest names one."""
    media_type: str
    size: int | None
    created_by: str | None
    open_blob: Callable[[], IO[bytes]]
    region: FileRegion | None = None
    """Where the blob lies on disk, for sources that have it there (archives, layouts)."""


class BlobRef(NamedTuple):
    """A layer blob as a manifest lists it, and how to read it."""

    digest: Digest | None
    media_type: str
    size: int | None
    open: Callable[[], IO[bytes]]
    region: FileRegion | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Image:
    name: str
    manifest_digest: Digest | None
    config_digest: Digest
    config: ImageConfig
    raw_config: bytes
    layers: tuple[LayerRef, ...]
    repo_tags: tuple[str, ...] = ()
    repo_digests: tuple[str, ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    """The image manifest's annotations (OCI sources), e.g. `org.opencontainers.image.base.name`."""


def make_layers(
    config: ImageConfig,
    blobs: list[BlobRef],
    where: str,
) -> tuple[LayerRef, ...]:
    """Pair a manifest's layer blobs with the config's diff_ids and history."""
    if len(blobs) != len(config.diff_ids):
        raise SourceError(
            f"{where}: the manifest lists {len(blobs)} layers but the config has "
            f"{len(config.diff_ids)} diff_ids"
        )
    history = config.layer_history()
    return tuple(
        LayerRef(
            index=i,
            diff_id=diff_id,
            digest=blob.digest,
            media_type=blob.media_type,
            size=blob.size,
            created_by=step.created_by if step else None,
            open_blob=blob.open,
            region=blob.region,
        )
        for i, (blob, diff_id, step) in enumerate(
            zip(blobs, config.diff_ids, history, strict=True)
        )
    )
