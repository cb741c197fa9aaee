"""zstd layers: decompressed across frames, corrupt ones raise one of DECOMPRESSION_ERRORS, and
zstandard itself loads only when a zstd layer is met."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile

import pytest
import zstandard

from hullguard.oci.blobs import DECOMPRESSION_ERRORS, decompress


def _tar(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def test_a_zstd_layer_of_two_frames_reads_whole() -> None:
    raw = _tar("etc/os-release", b"ID=alpine\n" * 5000)
    half = len(raw) // 2
    compressor = zstandard.ZstdCompressor()
    blob = compressor.compress(raw[:half]) + compressor.compress(raw[half:])
    assert decompress(io.BytesIO(blob), "layer").read() == raw


def test_a_corrupt_zstd_layer_raises_a_decompression_error() -> None:
    blob = bytearray(zstandard.ZstdCompressor().compress(_tar("a", b"x" * 100_000)))
    blob[len(blob) // 2 :] = b"\xff" * (len(blob) - len(blob) // 2)
    with pytest.raises(DECOMPRESSION_ERRORS):
        decompress(io.BytesIO(bytes(blob)), "layer").read()


def test_zstandard_is_not_imported_for_other_layers() -> None:
    code = "import sys, io; from hullguard.oci.blobs import decompress; decompress(io.BytesIO(b'plain'), 'x').read(); print('zstandard' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
