"""Apply an image's layers in order, streaming, into one merged `FileTree`.

Each layer is read once, as a stream. Whiteouts remove what lower layers wrote; every
entry remembers the layer that last wrote it. Only the files someone asked for keep their
content (in memory when small, else in a private temp dir); layer visitors see the content
of every file they want in every layer, including files a later layer removes.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar, cast

from hullguard.errors import DigestMismatch, SourceError
from hullguard.model import Digest, Issue
from hullguard.oci.blobs import (
    DECOMPRESSION_ERRORS,
    MAX_LAYER_BYTES,
    FileRegion,
    SizeCapExceeded,
    TarEndPadding,
    VerifyingReader,
    decompress,
)
from hullguard.sources.image import Image, LayerRef
from hullguard.sources.layer_hashes import Identity, LayerHashes, identity_of
from hullguard.sources.tarheaders import TarMember, TarStream, Unsupported, read_members
from hullguard.sources.tree import EntryType, FileEntry, LayerVisitor, Removal, clean_path

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
SPOOL_ABOVE = 1 << 20
_UNREADABLE: tuple[type[Exception], ...] = (tarfile.TarError, OSError, *DECOMPRESSION_ERRORS)
"""A layer that is not a (complete) tar: recorded as an issue, the files read so far kept."""
LEAVE_ABOVE = 64 << 10
"""Kept files larger than this stay in an on-disk layer blob until read (executables, mostly)."""
MAX_FILE_BYTES = 1 << 30
M = TypeVar("M", bound=TarMember)


class _BlobFile:
    """A layer blob file held open while its tree lives, for the content left in it."""

    def __init__(self, path: Path, expected: Identity | None) -> None:
        self.path = path
        self._fd: int | None = os.open(path, os.O_RDONLY)
        self._identity = self._fstat()
        if expected is not None and self._identity != expected:
            self.close()
            raise SourceError(f"{path}: changed while it was being scanned")

    def _fstat(self) -> Identity:
        assert self._fd is not None
        return identity_of(os.fstat(self._fd))

    def pread(self, offset: int, length: int, *, checked: bool = True) -> bytes:
        if self._fd is None:
            raise SourceError(f"{self.path}: read after the image was closed")
        if checked and self._fstat() != self._identity:
            raise SourceError(f"{self.path}: changed while it was being scanned")
        return os.pread(self._fd, length, offset)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@dataclass(frozen=True, slots=True)
class _Left:
    """A kept file's content left where it lies in a layer blob on disk, read when asked for:
    a binary analyzer reads a few KiB of section table, not the whole executable."""

    blob: _BlobFile
    offset: int
    size: int

    def read(self, start: int = 0, length: int | None = None) -> bytes:
        start = min(max(0, start), self.size)
        length = self.size - start if length is None else min(max(0, length), self.size - start)
        try:
            data = self.blob.pread(self.offset + start, length)
        except OSError as e:
            raise SourceError(f"{self.blob.path}: cannot read a layer file again ({e.strerror})") from e
        if len(data) != length:
            raise SourceError(f"{self.blob.path}: changed while it was being scanned (shorter)")
        return data


@dataclass(slots=True)
class _Node:
    entry: FileEntry
    layer_index: int


@dataclass
class LayerTree:
    """The merged file system of an image. Use as a context manager: it owns a temp dir."""

    _nodes: dict[str, _Node] = field(default_factory=dict)
    _children: dict[str, set[str]] = field(default_factory=dict)
    _content: dict[str, bytes | Path | _Left] = field(default_factory=dict)
    _spool: Path | None = None
    _pending: LayerHashes | None = None
    _blobs: dict[Path, _BlobFile] = field(default_factory=dict)
    removals: list[Removal] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def __enter__(self) -> LayerTree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def verify(self) -> None:
        """Wait for the layers still being hashed and compare their digests (DigestMismatch)."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            try:
                pending.check()
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        if self._pending is not None:
            self._pending.stop()
            self._pending = None
        if self._spool is not None:
            shutil.rmtree(self._spool, ignore_errors=True)
            self._spool = None
        self._content.clear()
        for blob in self._blobs.values():
            blob.close()
        self._blobs.clear()

    # FileTree
    def entries(self) -> Iterator[FileEntry]:
        return (node.entry for node in self._nodes.values())

    def lookup(self, path: str) -> FileEntry | None:
        node = self._nodes.get(path)
        return node.entry if node else None

    def read_bytes(self, entry: FileEntry) -> bytes:
        stored = self._stored(entry)
        if isinstance(stored, bytes):
            return stored
        return stored.read() if isinstance(stored, _Left) else stored.read_bytes()

    def read_range(self, entry: FileEntry, offset: int, length: int) -> bytes:
        stored = self._stored(entry)
        if isinstance(stored, bytes):
            return stored[offset : offset + length]
        if isinstance(stored, _Left):
            return stored.read(offset, length)
        with stored.open("rb") as f:
            f.seek(offset)
            return f.read(length)

    def _stored(self, entry: FileEntry) -> bytes | Path | _Left:
        stored = self._content.get(entry.path)
        if stored is None:
            raise SourceError(f"{entry.path}: content was not kept while reading the layers")
        return stored

    # building
    def _put(self, entry: FileEntry, layer_index: int) -> None:
        old = self._nodes.get(entry.path)
        if old is not None and not (old.entry.type is EntryType.DIR and entry.type is EntryType.DIR):
            self._remove(entry.path, layer_index + 1, None)
        self._nodes[entry.path] = _Node(entry, layer_index)
        path = entry.path
        while path:  # link every ancestor too: tars need not list parent folders
            parent, _, name = path.rpartition("/")
            siblings = self._children.setdefault(parent, set())
            if name in siblings:
                break
            siblings.add(name)
            path = parent

    def _remove(self, path: str, below: int, by: Digest | None) -> None:
        """Remove `path` and everything under it written by layers below index `below`."""
        for child in list(self._children.get(path, ())):
            self._remove(f"{path}/{child}" if path else child, below, by)
        node = self._nodes.get(path)
        if node is not None and node.layer_index < below:
            del self._nodes[path]
            self._content.pop(path, None)
            parent, _, name = path.rpartition("/")
            self._children.get(parent, set()).discard(name)
            if by is not None and node.entry.type is EntryType.FILE:
                self.removals.append(Removal(node.entry, by))

    def _keep(self, path: str, data: bytes) -> None:
        if len(data) <= SPOOL_ABOVE:
            self._content[path] = data
            return
        spooled = self._spool_path(path)
        spooled.write_bytes(data)
        self._content[path] = spooled

    def _spool_stream(self, path: str, source: IO[bytes]) -> Path:
        """Copy a large file to the spool dir piece by piece, never whole in memory."""
        spooled = self._spool_path(path)
        with spooled.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
        return spooled

    def _spool_path(self, path: str) -> Path:
        if self._spool is None:
            self._spool = Path(tempfile.mkdtemp(prefix="hullguard-"))
        return self._spool / f"{len(self._content)}-{len(self.removals)}-{abs(hash(path))}"


def build_tree(
    image: Image,
    wants: Callable[[FileEntry], bool],
    visitors: tuple[LayerVisitor, ...] = (),
    on_layer: Callable[[LayerRef], None] | None = None,
    *,
    verify_later: bool = False,
    hashes: LayerHashes | None = None,
) -> LayerTree:
    """Read every layer of `image` once, in order, and return the merged tree.

    Layers on disk are hashed in a second thread. By default every digest is checked before
    this returns; with `verify_later` the caller may work on the tree while the hashing ends,
    and must call `tree.verify()` before anything derived from it leaves its hands. `hashes`,
    a `LayerHashes(image.layers)`, may have begun while the caller did other work.
    """
    hashes = hashes or LayerHashes(image.layers)
    hashes.start()
    tree = LayerTree(_pending=hashes)
    try:
        for layer in image.layers:
            if on_layer is not None:
                on_layer(layer)
            _apply_layer(tree, layer, wants, visitors, hashes)
        if not verify_later:
            tree.verify()
    except BaseException:
        tree.close()
        raise
    return tree


def _apply_layer(
    tree: LayerTree,
    layer: LayerRef,
    wants: Callable[[FileEntry], bool],
    visitors: tuple[LayerVisitor, ...],
    hashes: LayerHashes,
) -> None:
    where = f"layer {layer.index + 1} ({layer.diff_id})"
    try:
        if hashes.hashing(layer):
            region = cast(FileRegion, layer.region)
            _apply_region(tree, layer, region, wants, visitors, hashes.identity(region.path))
            return
        with layer.open_blob() as raw:
            blob = VerifyingReader(raw, layer.digest, f"{where} blob")
            plain = VerifyingReader(decompress(blob, where), layer.diff_id, where, cap=MAX_LAYER_BYTES)
            # 4 MiB reads below the tar reader's small ones: one sha256 update per 4 MiB
            buffered = io.BufferedReader(cast(io.RawIOBase, plain), 4 << 20)
            _apply_stream(tree, layer, cast(IO[bytes], TarEndPadding(buffered)), wants, visitors)
            plain.finish()
            blob.finish()
    except DigestMismatch:
        raise
    except SizeCapExceeded as e:
        tree.issues.append(Issue(stage="source", message=str(e), layer=layer.diff_id))
    except _UNREADABLE as e:
        tree.issues.append(
            Issue(
                stage="source",
                message=f"{where}: unreadable or truncated tar ({e}); files after this point are missing",
                layer=layer.diff_id,
            )
        )


def _apply_stream(
    tree: LayerTree,
    layer: LayerRef,
    source: IO[bytes],
    wants: Callable[[FileEntry], bool],
    visitors: tuple[LayerVisitor, ...],
) -> None:
    """Apply a tar read front to back. Headers this module's reader declines (a global pax
    header, a sparse file) go to tarfile, from that member on; what came before stays."""
    stream = TarStream(source)
    read, spool = _content_readers(stream.open, tree)
    try:
        for member in stream.members():
            _apply_member(tree, layer, read, member, wants, visitors, spool)
        return
    except Unsupported:
        rest = cast(IO[bytes], _Prepended(bytes(stream.unread), source))
    with tarfile.open(fileobj=rest, mode="r|") as tar:
        read_info, spool_info = _content_readers(_extractor(tar), tree)
        for info in tar:
            _apply_member(tree, layer, read_info, info, wants, visitors, spool_info)


class _Prepended(io.RawIOBase):
    """`head`, then the rest of `tail`."""

    def __init__(self, head: bytes, tail: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._tail.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _apply_region(
    tree: LayerTree,
    layer: LayerRef,
    region: FileRegion,
    wants: Callable[[FileEntry], bool],
    visitors: tuple[LayerVisitor, ...],
    identity: Identity | None,
) -> None:
    blob = tree._blobs.get(region.path)
    if blob is None:
        blob = tree._blobs[region.path] = _BlobFile(region.path, identity)

    def read_at(offset: int, length: int) -> bytes:  # unchecked: verify() compares the file after
        return blob.pread(region.offset + offset, length, checked=False)

    def leave(member: TarMember) -> _Left:
        return _Left(blob, region.offset + member.offset_data, member.size)

    _apply_verified(tree, layer, read_at, region.size, wants, visitors, leave)


def _apply_verified(
    tree: LayerTree,
    layer: LayerRef,
    read_at: Callable[[int, int], bytes],
    size: int,
    wants: Callable[[FileEntry], bool],
    visitors: tuple[LayerVisitor, ...],
    leave: Callable[[TarMember], bytes | Path | _Left] | None = None,
) -> None:
    """Apply a plain tar read at offsets: file contents nobody wants are never read, and with
    `leave`, large ones only analyzers want are left on disk until they are asked for."""
    try:
        members = read_members(read_at, size)
    except Unsupported:
        members = None  # tarfile reads this layer, from the start: nothing is applied yet
    if members is not None:
        read = _member_reader(read_at)
        for info in members:
            _apply_member(tree, layer, read, info, wants, visitors, leave)
        return
    with tarfile.open(fileobj=cast(IO[bytes], _OffsetReader(read_at, size)), mode="r:") as tar:
        read, _ = _content_readers(_extractor(tar), tree)
        while True:
            try:
                member = tar.next()
            except tarfile.ReadError:
                if tar.offset >= size:
                    break  # the last file's data ends the blob, unpadded: see TarEndPadding
                raise
            if member is None:
                break
            _apply_member(tree, layer, read, member, wants, visitors, leave)
            if member.offset_data + (member.size if member.isreg() else 0) > size:
                raise tarfile.ReadError("unexpected end of data")  # where the stream reader stops too


class _OffsetReader(io.RawIOBase):
    """A seekable file over `read_at`, for `tarfile` when the fast header reader declines."""

    def __init__(self, read_at: Callable[[int, int], bytes], size: int) -> None:
        self._read_at = read_at
        self._size = size
        self._at = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._at

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._at, io.SEEK_END: self._size}[whence]
        self._at = max(0, base + offset)
        return self._at

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._read_at(self._at, min(len(buffer), max(0, self._size - self._at)))
        buffer[: len(data)] = data
        self._at += len(data)
        return len(data)


def _content_readers(
    open_member: Callable[[M], IO[bytes] | None], tree: LayerTree
) -> tuple[Callable[[M], bytes], Callable[[M], bytes | Path]]:
    """For a tar read front to back (ours or tarfile's): `read` a member's content, or `leave`
    it, which sends a large file only analyzers want to the spool dir in pieces (a 300 MB
    binary is not held in memory) and reads a smaller one."""

    def read(member: M) -> bytes:
        handle = open_member(member)
        return handle.read() if handle else b""

    def leave(member: M) -> bytes | Path:
        if member.size <= SPOOL_ABOVE:
            return read(member)
        handle = open_member(member)
        return tree._spool_stream(member.name, handle) if handle else b""

    return read, leave


def _extractor(tar: tarfile.TarFile) -> Callable[[tarfile.TarInfo], IO[bytes] | None]:
    return tar.extractfile


def _member_reader(read_at: Callable[[int, int], bytes]) -> Callable[[TarMember], bytes]:
    def read(member: TarMember) -> bytes:
        data = read_at(member.offset_data, member.size)
        if len(data) != member.size:
            raise tarfile.ReadError("unexpected end of data")
        return data

    return read


def _apply_member(
    tree: LayerTree,
    layer: LayerRef,
    read: Callable[[M], bytes],
    member: M,
    wants: Callable[[FileEntry], bool],
    visitors: tuple[LayerVisitor, ...],
    leave: Callable[[M], bytes | Path | _Left] | None = None,
) -> None:
    """Device nodes and fifos carry no content to analyze and are passed over."""
    path = clean_path(member.name)
    if path is None:
        tree.issues.append(
            Issue(stage="source", message=f"unsafe tar path {member.name!r} skipped", layer=layer.diff_id)
        )
        return
    if not path:
        return
    parent, _, name = path.rpartition("/")
    if name == OPAQUE:
        for child in list(tree._children.get(parent, ())):
            tree._remove(f"{parent}/{child}" if parent else child, layer.index, layer.diff_id)
        return
    if name.startswith(WHITEOUT):
        target = name[len(WHITEOUT) :]
        tree._remove(f"{parent}/{target}" if parent else target, layer.index, layer.diff_id)
        return
    if member.isreg():
        entry = FileEntry(
            path=path, type=EntryType.FILE, size=member.size, mode=member.mode, layer=layer.diff_id
        )
        tree._put(entry, layer.index)
        keep = wants(entry)
        watchers = [v for v in visitors if v.wants(entry)]
        if (keep or watchers) and member.size > MAX_FILE_BYTES:
            tree.issues.append(
                Issue(
                    stage="source", path=path, layer=layer.diff_id, message="file over the size cap not read"
                )
            )
        elif keep and not watchers and leave is not None and member.size > LEAVE_ABOVE:
            tree._content[path] = leave(member)
        elif keep or watchers:
            data = read(member)
            if keep:
                tree._keep(path, data)
            for visitor in watchers:
                visitor.visit(entry, data)
    elif member.islnk():
        link_target = clean_path(member.linkname)
        source = tree._nodes.get(link_target) if link_target else None
        if source is None or source.entry.type is not EntryType.FILE:
            return
        entry = FileEntry(
            path=path, type=EntryType.FILE, size=source.entry.size, mode=member.mode, layer=layer.diff_id
        )
        stored = tree._content.get(source.entry.path)
        tree._put(entry, layer.index)
        if stored is not None and wants(entry):
            tree._content[path] = stored
    elif member.issym():
        tree._put(
            FileEntry(
                path=path,
                type=EntryType.SYMLINK,
                mode=member.mode,
                layer=layer.diff_id,
                linkname=member.linkname,
            ),
            layer.index,
        )
    elif member.isdir():
        tree._put(
            FileEntry(path=path, type=EntryType.DIR, mode=member.mode, layer=layer.diff_id), layer.index
        )
