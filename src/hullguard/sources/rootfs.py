"""A directory as a `FileTree`: an unpacked root filesystem or a project tree."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from hullguard.errors import SourceError
from hullguard.sources.tree import MAX_SYMLINK_HOPS, EntryType, FileEntry

SKIP_DIRS = frozenset({".git", ".hg", ".svn"})
SKIP_AT_HOST_ROOT = frozenset({"proc", "sys", "dev", "run"})
MAX_READ_BYTES = 1 << 30


class DirTree:
    """Files under `root`. Never follows a symlink out of it: links are resolved by hand."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise SourceError(f"{root}: not a directory")
        self.root = root.resolve()
        self._index: dict[str, FileEntry] | None = None

    def entries(self) -> Iterator[FileEntry]:
        return iter(self._entries().values())

    def lookup(self, path: str) -> FileEntry | None:
        return self._entries().get(path)

    def read_bytes(self, entry: FileEntry) -> bytes:
        data = self.read_range(entry, 0, MAX_READ_BYTES + 1)
        if len(data) > MAX_READ_BYTES:
            raise SourceError(f"{entry.path}: larger than the read cap")
        return data

    def read_range(self, entry: FileEntry, offset: int, length: int) -> bytes:
        real = self._confined(entry.path)
        try:
            fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as e:
            raise SourceError(f"{entry.path}: cannot read ({e.strerror})") from e
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise SourceError(f"{entry.path}: not a regular file")
            f.seek(offset)
            return f.read(length)

    def _confined(self, rel: str) -> str:
        return confined_path(str(self.root), rel)

    def _entries(self) -> dict[str, FileEntry]:
        if self._index is None:
            index: dict[str, FileEntry] = {}
            self._walk(index, str(self.root), "")
            self._index = index
        return self._index

    def _walk(self, index: dict[str, FileEntry], real: str, rel: str) -> None:
        try:
            scan = list(os.scandir(real))
        except OSError:
            return
        for item in scan:
            path = f"{rel}/{item.name}" if rel else item.name
            try:
                st = item.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                try:
                    link = os.readlink(item.path)
                except OSError:
                    continue
                index[path] = FileEntry(
                    path=path, type=EntryType.SYMLINK, mode=st.st_mode & 0o7777, linkname=link
                )
            elif stat.S_ISDIR(st.st_mode):
                index[path] = FileEntry(path=path, type=EntryType.DIR, mode=st.st_mode & 0o7777)
                if item.name in SKIP_DIRS or (
                    str(self.root) == "/" and not rel and item.name in SKIP_AT_HOST_ROOT
                ):
                    continue
                self._walk(index, item.path, path)
            elif stat.S_ISREG(st.st_mode):
                index[path] = FileEntry(
                    path=path,
                    type=EntryType.FILE,
                    size=st.st_size,
                    mode=st.st_mode & 0o7777,
                )


def confined_path(root: str, rel: str) -> str:
    """The real path of `rel` under `root` with every symlink component resolved inside the root
    (an absolute link target starts again at the root, `..` stops there). Also used by host/."""
    done: list[str] = []
    parts = rel.split("/")
    hops = 0
    while parts:
        part = parts.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if done:
                done.pop()
            continue
        here = os.path.join(root, *done, part)
        if os.path.islink(here):
            hops += 1
            if hops > MAX_SYMLINK_HOPS:
                raise SourceError(f"{rel}: too many symlinks")
            target = os.readlink(here)
            if target.startswith("/"):
                done = []
            parts = target.split("/") + parts
            continue
        done.append(part)
    return os.path.join(root, *done)
