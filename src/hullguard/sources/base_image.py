"""Which layers of an image come from its base image: `--base-image REF`, or the image's own
`org.opencontainers.image.base.name` manifest annotation (or config label). The base's layers
are a prefix of the image's."""

from __future__ import annotations

from hullguard.model import Digest
from hullguard.sources import SourceOptions, open_image
from hullguard.sources.image import Image

BASE_NAME_LABEL = "org.opencontainers.image.base.name"


def base_layers(image: Image, ref: str | None, options: SourceOptions) -> frozenset[Digest] | None:
    """The diff_ids the image shares with its base, or None when no base is known."""
    ref = (
        ref or dict(image.annotations).get(BASE_NAME_LABEL) or dict(image.config.labels).get(BASE_NAME_LABEL)
    )
    if not ref:
        return None
    with open_image(ref, options) as base:
        base_ids = [layer.diff_id for layer in base.layers]
    shared: list[Digest] = []
    for mine, theirs in zip((layer.diff_id for layer in image.layers), base_ids, strict=False):
        if mine != theirs:
            break
        shared.append(mine)
    return frozenset(shared)
