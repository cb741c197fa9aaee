"""Read OSV documents from a file, a folder, a zip (osv.dev's `all.zip` layout) or a URL."""

from __future__ import annotations

import json
import os
import shutil
import ssl
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from hullguard.errors import Error

MAX_RECORD = 32 << 20
MAX_DOWNLOAD = 4 << 30
_SUFFIXES = (".json", ".yaml", ".yml")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_YAML_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


class ReadError(Error):
    """An advisory source could not be opened or downloaded."""


@dataclass(frozen=True, slots=True)
class Document:
    where: str
    """file, or archive!member, for messages."""
    content: Any = None
    error: str | None = None


def iter_documents(location: str | Path, ca_file: str | None = None) -> Iterator[Document]:
    text = str(location)
    if text.startswith(("http://", "https://")):
        with download(text, ca_file=ca_file) as path:
            yield from _iter_path(path, shown=text, name=urlsplit(text).path.rpartition("/")[2])
        return
    path = Path(text)
    if not path.exists():
        raise ReadError(f"{path}: no such file or directory")
    yield from _iter_path(path, shown=text)


def _iter_path(path: Path, shown: str, name: str | None = None) -> Iterator[Document]:
    name = name or path.name
    if path.is_dir():
        yield from _iter_dir(path)
    elif zipfile.is_zipfile(path):
        yield from _iter_zip(path, shown)
    elif name.endswith(".zip"):
        raise ReadError(f"{shown}: not a zip archive (osv.dev's all.zip layout was expected)")
    else:
        yield _decode(shown, name, _read_capped(path))


def _iter_dir(root: Path) -> Iterator[Document]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            file = Path(dirpath) / name
            if not name.endswith(_SUFFIXES) or file.is_symlink():
                continue
            try:
                yield _decode(str(file), name, _read_capped(file))
            except OSError as e:
                yield Document(str(file), error=f"cannot read: {e}")


def _iter_zip(path: Path, shown: str) -> Iterator[Document]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise ReadError(f"{shown}: not a readable zip archive: {e}") from e
    with archive:
        for info in archive.infolist():
            where = f"{shown}!{info.filename}"
            if info.is_dir() or not info.filename.endswith(_SUFFIXES):
                continue
            if info.file_size > MAX_RECORD:
                yield Document(
                    where, error=f"record of {info.file_size} bytes is over the {MAX_RECORD} byte cap"
                )
                continue
            try:
                with archive.open(info) as member:
                    data = member.read(MAX_RECORD + 1)
            except (zipfile.BadZipFile, OSError, EOFError) as e:
                yield Document(where, error=f"cannot read: {e}")
                continue
            yield _decode(where, info.filename, data)


def _read_capped(path: Path) -> bytes:
    with path.open("rb") as f:
        data = f.read(MAX_RECORD + 1)
    if len(data) > MAX_RECORD:
        raise ReadError(f"{path}: over the {MAX_RECORD} byte cap for one advisory file")
    return data


def _decode(where: str, name: str, data: bytes) -> Document:
    try:
        if name.endswith(".json"):
            return Document(where, json.loads(data))
        return Document(where, yaml.load(data, Loader=_YAML_LOADER))  # noqa: S506 - BaseLoader builds only str/list/dict
    except (json.JSONDecodeError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as e:
        return Document(where, error=f"not valid {'JSON' if name.endswith('.json') else 'YAML'}: {e}")


class download:
    """Context manager: fetch URL into a temporary file (HTTPS, or plain HTTP to loopback only)."""

    def __init__(self, url: str, ca_file: str | None = None, timeout: float = 60.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "https" and parts.hostname not in _LOOPBACK:
            raise ReadError(
                f"{url}: advisories are downloaded over HTTPS only (plain HTTP to 127.0.0.1 is allowed)"
            )
        self.url, self.ca_file, self.timeout = url, ca_file, timeout
        self._dir: str | None = None

    def __enter__(self) -> Path:
        self._dir = tempfile.mkdtemp(prefix="hullguard-osv-")
        target = Path(self._dir) / "download"
        request = urllib.request.Request(self.url, headers={"User-Agent": "hullguard"})  # noqa: S310 - scheme checked
        try:
            context = ssl.create_default_context(cafile=self.ca_file or os.environ.get("HULLGUARD_CA_CERT"))
            with (
                urllib.request.urlopen(request, timeout=self.timeout, context=context) as response,  # noqa: S310
                target.open("wb") as out,
            ):
                total = 0
                while chunk := response.read(1 << 20):
                    total += len(chunk)
                    if total > MAX_DOWNLOAD:
                        raise ReadError(f"{self.url}: download over the {MAX_DOWNLOAD} byte cap")
                    out.write(chunk)
        except urllib.error.HTTPError as e:
            self.__exit__()
            raise ReadError(f"{self.url}: HTTP {e.code} {e.reason}") from e
        except (urllib.error.URLError, OSError, TimeoutError) as e:
            self.__exit__()
            raise ReadError(f"{self.url}: download failed: {getattr(e, 'reason', e)}") from e
        except ReadError:
            self.__exit__()
            raise
        return target

    def __exit__(self, *exc: object) -> None:
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
