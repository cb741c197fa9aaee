"""The gzip reader the layer streams use: the same bytes as the gzip module, the same refusals."""

from __future__ import annotations

import gzip
import io
import os

import pytest

from hullguard.oci.blobs import DECOMPRESSION_ERRORS, Gunzip


def _inflate(data: bytes, piece: int = 1 << 16) -> bytes:
    reader = Gunzip(io.BytesIO(data))
    out = bytearray()
    buffer = memoryview(bytearray(piece))
    while n := reader.readinto(buffer):
        out += buffer[:n]
    return bytes(out)


def test_members_padding_and_large_output_match_the_gzip_module() -> None:
    big = os.urandom(3 << 20) + bytes(5 << 20)  # incompressible, then very compressible
    cases = [
        gzip.compress(big),
        gzip.compress(b"first ") + gzip.compress(b"second"),  # members one after another
        gzip.compress(b"padded") + bytes(700),  # zero padding after the last member
        gzip.compress(b"a") + bytes(3) + gzip.compress(b"b"),  # and between members
        gzip.compress(b""),
    ]
    for data in cases:
        assert _inflate(data) == gzip.decompress(data)
        if len(data) < 1 << 20:
            assert _inflate(data, piece=7) == gzip.decompress(data)  # reads smaller than a block


def test_truncated_and_corrupt_streams_are_refused() -> None:
    data = gzip.compress(os.urandom(100_000))
    with pytest.raises(EOFError):
        _inflate(data[: len(data) // 2])
    crc = bytearray(data)
    crc[-6] ^= 0xFF  # the CRC-32 in the trailer
    with pytest.raises(DECOMPRESSION_ERRORS):
        _inflate(bytes(crc))
    with pytest.raises(DECOMPRESSION_ERRORS):
        _inflate(gzip.compress(b"ok") + b"garbage after the member")
