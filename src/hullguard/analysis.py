"""The image-analysis stage: layers -> file tree -> analyzers -> inventory.

From the cache when every consumer can do without the layers, else by reading the layers once
(and storing what they gave). `cache/` only stores; this decides what to store and when."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

from hullguard import __version__
from hullguard.analyzers.base import Analyzer, Deferred
from hullguard.cache.image import FORMAT, Analysis, ImageCache, ListedTree
from hullguard.model import Digest
from hullguard.scanners import Scanner
from hullguard.sources.image import Image, LayerRef
from hullguard.sources.layer_hashes import LayerHashes
from hullguard.sources.tree import FileEntry, FileTree, LayerVisitor


@runtime_checkable
class Restorable(Protocol):
    """A layer visitor with a cache of its own: `restore` loads what it would have seen in these
    layers and says whether it had all of them. A visitor that answers False must still be
    fit to watch the layers being read (what it did load stands for those layers)."""

    def restore(self, layers: tuple[Digest, ...]) -> bool: ...


@contextmanager
def analyze_image(
    image: Image,
    analyzers: tuple[Analyzer, ...],
    scanners: tuple[Scanner, ...],
    visitors: tuple[LayerVisitor, ...],
    cache_root: Path | None,
    on_layer: Callable[[LayerRef], None] | None = None,
    hashes: LayerHashes | None = None,
) -> Iterator[tuple[FileTree, Analysis]]:
    """The merged tree and the analysis of `image`; with `cache_root` None, no cache is used.
    `hashes` (see `LayerHashes`) is stopped when the cache answers and no layer is read."""
    cache = ImageCache(cache_root) if cache_root is not None else None
    key = image_key(image, analyzers) if cache is not None else None
    if cache is not None and key is not None:
        cached = cache.load(key)
        if cached is not None and _restored(cached, image, scanners, visitors):
            if hashes is not None:
                hashes.stop()
            yield ListedTree(cached.entries), cached
            return

    # The layers are read: only now are the tree builder, the analyzers' runner and the
    # package history needed.
    from hullguard.analyzers.history import PackageHistory
    from hullguard.analyzers.run import analyze_tree, wants
    from hullguard.sources.layers import build_tree

    analyzers_want = wants(analyzers)  # the analyzers' union prefilter: most files fail it at once

    keeping = tuple(s for s in scanners if s.keeps_content)

    def wanted(entry: FileEntry) -> bool:
        return analyzers_want(entry) or (bool(keeping) and any(s.wants(entry) for s in keeping))

    history = PackageHistory()  # which layer added each OS package
    with build_tree(image, wanted, (*visitors, history), on_layer, verify_later=True, hashes=hashes) as tree:
        inventory, issues = analyze_tree(tree, analyzers)  # while the last layers are hashed
        tree.verify()
        analysis = Analysis(
            inventory=history.attribute(inventory),
            issues=(*tree.issues, *issues),
            entries=tuple(tree.entries()),
            removals=tuple(tree.removals),
        )
        # An image read with trouble (a truncated layer, an unsafe path) is read again next time.
        if (
            cache is not None
            and key is not None
            and not tree.issues
            and not _content_wanted(analysis, scanners)
        ):
            cache.store(key, analysis)
        yield tree, analysis


def image_key(image: Image, analyzers: tuple[Analyzer, ...] | list[Analyzer]) -> str | None:
    """The cache key of an image's analysis, or None when its config does not vouch for its layers."""
    algorithm, _, expected = image.config_digest.partition(":")
    if algorithm != "sha256" or hashlib.sha256(image.raw_config).hexdigest() != expected:
        return None
    diff_ids = [layer.diff_id for layer in image.layers]
    if tuple(diff_ids) != image.config.diff_ids:
        return None
    doc = [
        FORMAT,
        __version__,
        diff_ids,
        [[*_implementation(a), repr(a.spec)] for a in analyzers],
    ]
    return hashlib.sha256(json.dumps(doc).encode()).hexdigest()


def _restored(
    cached: Analysis, image: Image, scanners: tuple[Scanner, ...], visitors: tuple[LayerVisitor, ...]
) -> bool:
    if _content_wanted(cached, scanners) or not all(isinstance(v, Restorable) for v in visitors):
        return False
    layers = tuple(layer.diff_id for layer in image.layers)
    return all(v.restore(layers) for v in visitors if isinstance(v, Restorable))


def _content_wanted(analysis: Analysis, scanners: tuple[Scanner, ...]) -> bool:
    """A scanner that reads file content from the tree needs the layers: the cache keeps none."""
    keeping = [s for s in scanners if s.keeps_content]
    return bool(keeping) and any(s.wants(e) for s in keeping for e in analysis.entries)


def _implementation(analyzer: Analyzer) -> tuple[str, str]:
    """The module and class that analyze: a deferred analyzer names them without importing."""
    if isinstance(analyzer, Deferred):
        return analyzer.implementation
    return type(analyzer).__module__, type(analyzer).__qualname__
