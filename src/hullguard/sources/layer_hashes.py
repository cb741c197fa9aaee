"""sha256 of every uncompressed layer on disk, taken beside the parse rather than after it.

A child process (`sha256_regions.py`) hashes the layers while this process parses their tars:
a scan takes the longer of the two instead of their sum, and the hashing never waits for this
process's GIL (in a thread it would wait up to the switch interval, 5 ms, for every chunk).
Where no child can be started, a thread does the same work.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, cast

from hullguard.errors import DigestMismatch, SourceError
from hullguard.oci.blobs import MAX_LAYER_BYTES, FileRegion
from hullguard.sources import sha256_regions
from hullguard.sources.image import LayerRef

if TYPE_CHECKING:
    import subprocess

Identity = tuple[int, int, int]
"""(inode, size, mtime) of a blob file: hashing and parsing read it separately, so a file whose
identity changes between them is refused, as its digest no longer vouches for what was read."""


def identity_of(info: os.stat_result) -> Identity:
    return info.st_ino, info.st_size, info.st_mtime_ns


class LayerHashes:
    """The digests of the layers that lie on disk as plain tars, computed from when this is
    made, or from `start()` (the pipeline starts it as soon as the image is open, so the
    analyzers import meanwhile; with a cache, once the cache has not answered) until `check()`, which compares them; `stop()` (or leaving it as a context
    manager) abandons the work, as when the cache answers and no layer is read. Nothing read
    from a layer leaves `build_tree` before `check()` has compared every digest.
    """

    def __init__(self, layers: tuple[LayerRef, ...], *, start: bool = True) -> None:
        self._plain = {layer.index: layer for layer in layers if _plain_region(layer)}
        self._identities: dict[Path, Identity] = {}
        for index, layer in list(self._plain.items()):
            path = cast(FileRegion, layer.region).path
            try:
                self._identities.setdefault(path, identity_of(os.stat(path)))
            except OSError:
                del self._plain[index]  # the streaming path reads it, and reports why it cannot
        self._digests: dict[int, str] = {}
        self._child: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._started = False
        if start:
            self.start()

    def __enter__(self) -> LayerHashes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def hashing(self, layer: LayerRef) -> bool:
        return layer.index in self._plain

    def identity(self, path: Path) -> Identity | None:
        """The blob file's identity when hashing began."""
        return self._identities.get(path)

    def start(self) -> None:
        """Begin hashing, unless begun (made with `start=False`, it waits for this)."""
        if self._started or not self._plain:
            return
        self._started = True
        regions = [cast(FileRegion, layer.region) for layer in self._plain.values()]
        args = [str(x) for r in regions for x in (r.path, r.offset, r.size)]
        import subprocess  # here: a rescan answered by the cache starts no child

        try:
            self._child = subprocess.Popen(
                [sys.executable, "-I", "-S", sha256_regions.__file__, *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except (OSError, ValueError):  # no interpreter to start (embedded, frozen): a thread
            self._thread = threading.Thread(target=self._run, name="hullguard-hash", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        for index, layer in self._plain.items():
            region = cast(FileRegion, layer.region)
            try:
                self._digests[index] = sha256_regions.sha256_region(
                    str(region.path), region.offset, region.size, self._stopped.is_set
                )
            except OSError as e:
                self._digests[index] = f"unreadable ({e.strerror or e})"
            if self._stopped.is_set():
                return

    def stop(self) -> None:
        self._stopped.set()
        if self._child is not None:
            if self._child.poll() is None:
                self._child.kill()
            self._child.communicate()
            self._child = None
        if self._thread is not None:
            self._thread.join()

    def _collect(self) -> None:
        if self._child is not None:
            out, _ = self._child.communicate()
            lines = out.decode("utf-8", "replace").splitlines()
            status = self._child.returncode
            self._child = None
            for n, index in enumerate(self._plain):
                self._digests[index] = lines[n] if n < len(lines) else f"unreadable (hasher exited {status})"
        if self._thread is not None:
            self._thread.join()

    def check(self) -> None:
        self.start()
        self._collect()
        for path, identity in self._identities.items():
            try:
                now = identity_of(os.stat(path))
            except OSError as e:
                raise SourceError(f"{path}: gone while it was being scanned ({e.strerror})") from e
            if now != identity:
                raise SourceError(f"{path}: changed while it was being scanned")
        for index, layer in self._plain.items():
            actual = self._digests.get(index, "not hashed")
            for expected in {d for d in (layer.digest, layer.diff_id) if d}:
                if actual != expected.removeprefix("sha256:"):
                    shown = actual if " " in actual else f"sha256:{actual}"
                    raise DigestMismatch(f"layer {index + 1} ({layer.diff_id})", expected, shown)


def _plain_region(layer: LayerRef) -> bool:
    """An uncompressed tar on disk, named by sha256 digests, under the size cap."""
    region = layer.region
    if region is None or region.size > MAX_LAYER_BYTES or region.size < 4 or not hasattr(os, "pread"):
        return False  # (no pread on Windows: the streaming path reads such a layer)
    if any(not d.startswith("sha256:") for d in (layer.digest, layer.diff_id) if d):
        return False
    try:
        with open(region.path, "rb", buffering=0) as f:
            head = os.pread(f.fileno(), 4, region.offset)
    except OSError:
        return False
    return not compressed(head)


def compressed(head: bytes) -> bool:
    return head[:2] == b"\x1f\x8b" or head == b"\x28\xb5\x2f\xfd" or head[:3] == b"BZh"
