"""A host's file system seen from a root directory: paths resolve inside it, never out of it.

`--root DIR` points at an offline copy of a host (a mounted node disk, an extracted image);
without it the root is `/`. Absolute symlinks in the tree (`/var/run -> /run`) are followed
*inside* the root, as a chroot would, so a hostile tree cannot make us read the scanner's own
host. Reads are capped: configuration files are small, and a tree may hold anything.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hullguard.errors import SourceError
from hullguard.sources.rootfs import confined_path

MAX_READ = 4 << 20


class HostReadError(Exception):
    """A file exists but cannot be read (permissions, too large, a loop): its checks are skipped."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FileStat:
    path: str
    """The path on the host (inside the root), e.g. `/etc/docker/daemon.json`."""
    uid: int
    gid: int
    mode: int
    """Permission bits only (`st_mode & 0o7777`)."""
    kind: str
    """`file`, `dir`, `socket`, `link`, `other`."""


@dataclass(frozen=True, slots=True)
class HostTree:
    root: Path

    @property
    def live(self) -> bool:
        return self.root == Path("/")

    def real(self, path: str) -> Path | None:
        """The local path for host `path`, symlinks followed inside the root; None if absent."""
        if self.live:  # the kernel resolves; /proc/PID/root magic links then lead into containers
            return Path(path) if os.path.lexists(path) else None
        try:
            local = confined_path(str(self.root), path)
        except SourceError as e:
            raise HostReadError(f"{path}: too many levels of symbolic links") from e
        return Path(local) if os.path.lexists(local) else None

    def readlink(self, path: str) -> str | None:
        """The target of the symlink at `path` (its parent resolved inside the root), or None."""
        parent, _, name = path.rstrip("/").rpartition("/")
        local = self.real(parent or "/")
        try:
            return None if local is None else os.readlink(local / name)
        except OSError:
            return None

    def exists(self, path: str) -> bool:
        try:
            return self.real(path) is not None
        except HostReadError:
            return False

    def stat(self, path: str) -> FileStat | None:
        local = self.real(path)
        if local is None:
            return None
        try:
            info = local.stat()
        except OSError as e:
            raise HostReadError(f"{path}: {e.strerror or e}") from e
        m = info.st_mode
        kind = (
            "file"
            if stat.S_ISREG(m)
            else "dir"
            if stat.S_ISDIR(m)
            else "socket"
            if stat.S_ISSOCK(m)
            else "other"
        )
        return FileStat(path=path, uid=info.st_uid, gid=info.st_gid, mode=m & 0o7777, kind=kind)

    def read_bytes(self, path: str, limit: int = MAX_READ) -> bytes | None:
        """The file's content, None if it does not exist; HostReadError if it cannot be read."""
        local = self.real(path)
        if local is None:
            return None
        try:
            with local.open("rb") as f:
                data = f.read(limit + 1)
        except OSError as e:
            raise HostReadError(f"{path}: {e.strerror or e}") from e
        if len(data) > limit:
            raise HostReadError(f"{path}: larger than {limit >> 20} MiB, not read")
        return data

    def read_text(self, path: str, limit: int = MAX_READ) -> str | None:
        data = self.read_bytes(path, limit)
        return None if data is None else data.decode("utf-8", errors="replace")

    def listdir(self, path: str) -> tuple[str, ...]:
        """Host paths of the entries of directory `path`, sorted; () if it is absent or unreadable."""
        local = self.real(path)
        if local is None or not local.is_dir():
            return ()
        try:
            names = sorted(os.listdir(local))
        except OSError:
            return ()
        return tuple(str(PurePosixPath(path, n)) for n in names)

    def walk(self, path: str, limit: int = 10000) -> Iterator[str]:
        """`path` and everything under it (not following symlinks to directories), at most `limit`."""
        seen = 0
        stack = [path]
        while stack and seen < limit:
            current = stack.pop()
            seen += 1
            yield current
            local = self.real(current)
            if local is not None and local.is_dir() and not (self.root / current.lstrip("/")).is_symlink():
                stack.extend(reversed(self.listdir(current)))
