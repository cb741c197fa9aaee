"""The file tree analyzers read: one interface whether files come from layers or a directory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from hullguard.model import Digest

MAX_SYMLINK_HOPS = 40


class EntryType(StrEnum):
    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    OTHER = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class FileEntry:
    path: str
    """Relative to the root, `/`-separated, no leading slash, never containing `..`."""
    type: EntryType
    size: int = 0
    mode: int = 0
    layer: Digest | None = None
    linkname: str | None = None

    @property
    def is_executable(self) -> bool:
        return self.type is EntryType.FILE and bool(self.mode & 0o111)


@dataclass(frozen=True, slots=True)
class Removal:
    """A file of an image's layers that a later layer deleted."""

    entry: FileEntry
    by_layer: Digest


class LayerVisitor(Protocol):
    """Sees every wanted file of every layer, as the layer is read (`sources.layers`)."""

    def wants(self, entry: FileEntry) -> bool: ...

    def visit(self, entry: FileEntry, data: bytes) -> None: ...


class FileTree(Protocol):
    """What analyzers see: the final file system of an image, or a directory."""

    def entries(self) -> Iterator[FileEntry]: ...

    def lookup(self, path: str) -> FileEntry | None:
        """The entry at `path` without following a final symlink."""
        ...

    def read_bytes(self, entry: FileEntry) -> bytes:
        """The content of a regular file. Raises `SourceError` if it was not kept."""
        ...


@runtime_checkable
class RangeReadable(Protocol):
    """A tree that reads part of a file without the rest (a binary's ELF section table)."""

    def read_range(self, entry: FileEntry, offset: int, length: int) -> bytes:
        """Up to `length` bytes of a regular file's content from `offset` on."""
        ...


def clean_path(name: str) -> str | None:
    """A tar member name as a root-relative path; None when it is absolute or uses `..`.

    Layer tars written by real builders never need either, so both are refused rather
    than interpreted: that is what keeps every entry inside the root.
    """
    if not name.startswith(("/", ".")) and "//" not in name and "/." not in name and name[-1:] != "/":
        return name  # already clean: most names of most layers
    if name.startswith("/"):
        return None
    parts = [p for p in name.split("/") if p and p != "."]
    if ".." in parts:
        return None
    return "/".join(parts)


def resolve(tree: FileTree, path: str) -> FileEntry | None:
    """Follow symlinks inside the tree; `..` and absolute targets stay under the root."""
    parts = [p for p in path.split("/") if p and p != "."]
    done: list[str] = []
    hops = 0
    entry: FileEntry | None = None
    while parts:
        part = parts.pop(0)
        if part == "..":
            if done:
                done.pop()
            continue
        candidate = "/".join([*done, part])
        entry = tree.lookup(candidate)
        if entry is None:
            if not parts:
                return None
            done.append(part)  # a parent folder the tar never listed on its own
            continue
        if entry.type is EntryType.SYMLINK and entry.linkname is not None:
            hops += 1
            if hops > MAX_SYMLINK_HOPS:
                return None
            target = entry.linkname
            if target.startswith("/"):
                done = []
            parts = [p for p in target.split("/") if p and p != "."] + parts
            continue
        done.append(part)
    if not done:
        return None
    return tree.lookup("/".join(done))
