"""Random access to the files of an image archive: a directory or a (gzipped) tar."""

from __future__ import annotations

import os
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from hullguard.errors import SourceError
from hullguard.oci.blobs import MAX_LAYER_BYTES, FileRegion
from hullguard.sources.tree import clean_path

MAX_JSON_BYTES = 16 << 20


class ArchiveStore:
    """Files of an image archive by relative path. A context manager: closing frees temp files."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tar: tarfile.TarFile | None = None
        self._members: dict[str, tarfile.TarInfo] = {}
        self._tmp: Path | None = None
        self._source = path
        if path.is_dir():
            return
        try:
            with path.open("rb") as f:
                head = f.read(2)
            source = path
            if head == b"\x1f\x8b":
                source = self._gunzip(path)
            self._source = source
            self._tar = tarfile.open(source, mode="r:")  # noqa: SIM115 - held open until close()
            for member in self._tar.getmembers():
                name = clean_path(member.name)
                if name and (member.isreg() or member.islnk()):
                    self._members[name] = member
        except (tarfile.TarError, EOFError, OSError) as e:  # gzip.BadGzipFile is an OSError
            self.close()
            raise SourceError(f"{path}: not a readable tar archive ({e})") from e

    def _gunzip(self, path: Path) -> Path:
        import gzip  # these two for a gzipped archive only
        import tempfile

        self._tmp = Path(tempfile.mkdtemp(prefix="hullguard-"))
        out = self._tmp / "image.tar"
        with gzip.open(path, "rb") as src, out.open("wb") as dst:
            copied = 0
            while chunk := src.read(1 << 20):
                copied += len(chunk)
                if copied > MAX_LAYER_BYTES * 4:
                    raise SourceError(f"{path}: decompressed archive exceeds the size cap")
                dst.write(chunk)
        return out

    def __enter__(self) -> ArchiveStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._tar is not None:
            self._tar.close()
            self._tar = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def exists(self, name: str) -> bool:
        if self._tar is not None:
            return name in self._members
        return self._dir_path(name) is not None

    def open(self, name: str) -> IO[bytes]:
        if self._tar is not None:
            member = self._members.get(name)
            if member is not None:
                handle = self._tar.extractfile(member)
                if handle is not None:
                    return handle
        else:
            found = self._dir_path(name)
            if found is not None:
                return found.open("rb")
        raise SourceError(f"{self.path}: missing {name}")

    def opener(self, name: str) -> Callable[[], IO[bytes]]:
        return lambda: self.open(name)

    def region(self, name: str) -> FileRegion | None:
        """Where `name`'s bytes lie on disk, when they lie in one piece (not a hard link or a
        sparse member)."""
        if self._tar is not None:
            member = self._members.get(name)
            if member is None or not member.isreg() or member.issparse():
                return None
            return FileRegion(self._source, member.offset_data, member.size)
        found = self._dir_path(name)
        return FileRegion(found, 0, found.stat().st_size) if found is not None else None

    def read(self, name: str, cap: int = MAX_JSON_BYTES) -> bytes:
        with self.open(name) as f:
            data = f.read(cap + 1)
        if len(data) > cap:
            raise SourceError(f"{self.path}: {name} is larger than {cap >> 20} MiB")
        return data

    def _dir_path(self, name: str) -> Path | None:
        rel = clean_path(name)
        if not rel:
            return None
        candidate = self.path / rel
        try:
            real = Path(os.path.realpath(candidate))
        except OSError:
            return None
        root = Path(os.path.realpath(self.path))
        if real != root and root not in real.parents:
            raise SourceError(f"{self.path}: {name} is a symlink that points outside the layout")
        return real if real.is_file() else None


def blob_path(digest: str) -> str:
    algo, _, hexpart = digest.partition(":")
    return f"blobs/{algo}/{hexpart}"
