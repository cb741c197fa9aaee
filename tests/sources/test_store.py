"""An image archive's files by name: a plain tar, a gzipped tar, and clear refusals."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from hullguard.errors import SourceError
from hullguard.sources.store import ArchiveStore


def _tar(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def test_a_gzipped_archive_reads_like_a_plain_one_and_leaves_no_temp_file(tmp_path: Path) -> None:
    files = {"manifest.json": b"[]", "blobs/sha256/ab": b"layer bytes"}
    plain, zipped = tmp_path / "plain.tar", tmp_path / "zipped.tar.gz"
    plain.write_bytes(_tar(files))
    zipped.write_bytes(gzip.compress(_tar(files)))
    for path in (plain, zipped):
        with ArchiveStore(path) as store:
            assert store.read("manifest.json") == b"[]"
            assert store.exists("blobs/sha256/ab") and not store.exists("other")
            temp = store._tmp
        assert temp is None or not temp.exists()


def test_a_broken_gzip_or_tar_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(gzip.compress(_tar({"a": b"x"}))[:40])
    with pytest.raises(SourceError, match=r"broken\.tar\.gz: not a readable tar archive"):
        ArchiveStore(broken)
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"\x1f\x8b" + b"not gzip at all" * 10)
    with pytest.raises(SourceError, match=r"garbage\.tar\.gz: not a readable tar archive"):
        ArchiveStore(garbage)
