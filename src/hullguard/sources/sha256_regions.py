"""Print the sha256 of byte ranges of files, one hex digest per line (or `unreadable (why)`).

    python -I -S sha256_regions.py PATH OFFSET SIZE [PATH OFFSET SIZE ...]

Run by `layer_hashes.LayerHashes` as a child process, so hashing a layer never waits for the
GIL of the process that parses it. Standard library only: it runs isolated, without site
packages, and imports nothing of hullguard.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import sys

TYPE_CHECKING = False  # not typing's: importing typing would add a third to the child's start-up
if TYPE_CHECKING:
    import io
    from collections.abc import Callable
    from typing import Any

CHUNK = 16 << 20


def sha256_region(path: str, offset: int, size: int, stopped: Callable[[], bool] = lambda: False) -> str:
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as f:
        try:
            _mapped(digest, f.fileno(), offset, size, stopped)
        except (OSError, ValueError):  # a file that cannot be mapped (a pipe, a short file): read it
            digest = hashlib.sha256()
            _read(digest, f, offset, size, stopped)
    return digest.hexdigest()


def _mapped(digest: Any, fd: int, offset: int, size: int, stopped: Callable[[], bool]) -> None:
    """Hash `size` bytes at `offset` through read-only mappings of CHUNK bytes, each unmapped
    before the next: no copy into a buffer (a tenth faster), and never more than a chunk
    resident. A region past the end of the file raises ValueError (mmap refuses it)."""
    if offset + size > os.fstat(fd).st_size:
        raise ValueError("region past the end of the file")
    at = offset - offset % mmap.ALLOCATIONGRANULARITY
    end = offset + size
    while at < end and not stopped():
        length = min(CHUNK, end - at)
        with mmap.mmap(fd, length, access=mmap.ACCESS_READ, offset=at) as window:
            digest.update(memoryview(window)[max(offset - at, 0) :])
        at += length


def _read(digest: Any, f: io.FileIO, offset: int, size: int, stopped: Callable[[], bool]) -> None:
    buffer = memoryview(bytearray(min(CHUNK, max(size, 1))))
    f.seek(offset)
    left = size
    while left and not stopped():
        count = f.readinto(buffer[: min(left, len(buffer))])
        if not count:
            break  # the file is shorter than its region: the digest will not match
        digest.update(buffer[:count])
        left -= count


def main(args: list[str]) -> int:
    if len(args) % 3:
        sys.stderr.write("usage: sha256_regions.py PATH OFFSET SIZE ...\n")
        return 2
    for i in range(0, len(args), 3):
        try:
            line = sha256_region(args[i], int(args[i + 1]), int(args[i + 2]))
        except OSError as e:
            line = f"unreadable ({e.strerror or e})"
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
