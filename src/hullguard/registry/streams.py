"""HTTP response bodies as files: capped reads, streamed blobs whose digest is checked at EOF."""

from __future__ import annotations

import io
from typing import IO, cast

import httpx

from hullguard.oci.blobs import SizeCapExceeded, VerifyingReader
from hullguard.registry.errors import RegistryError


def read_capped(response: httpx.Response, cap: int, what: str) -> bytes:
    try:
        chunks = []
        total = 0
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > cap:
                raise RegistryError(f"{what}: larger than {cap >> 20} MiB; refusing it")
            chunks.append(chunk)
        return b"".join(chunks)
    except httpx.HTTPError as e:
        raise RegistryError(f"{what}: transfer failed: {e}") from e
    finally:
        response.close()


class ResponseReader(io.RawIOBase):
    """A streamed HTTP body as a raw file; closing it releases the connection."""

    def __init__(self, response: httpx.Response, what: str) -> None:
        self._response = response
        self._chunks = response.iter_bytes()
        self._pending = b""
        self._what = what

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
            except httpx.HTTPError as e:
                raise RegistryError(f"{self._what}: transfer failed: {e}") from e
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        self._response.close()
        super().close()


class VerifiedBlob(VerifyingReader):
    """Verifies the digest the moment the stream ends, so whoever reads to EOF read true bytes."""

    def __init__(self, raw: ResponseReader, expected: str, what: str, cap: int | None) -> None:
        super().__init__(cast(IO[bytes], raw), expected, what, cap)
        self._source = raw
        self._verified = False

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            n = super().readinto(buffer)
        except SizeCapExceeded as e:
            raise RegistryError(
                f"{self._what}: the registry sent more than the {self._cap} bytes the manifest declares"
            ) from e
        if n == 0 and not self._verified:
            self._verified = True
            self.finish()
        return n

    def close(self) -> None:
        self._source.close()
        super().close()
