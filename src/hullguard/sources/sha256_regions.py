"""Print the sha256 of byte ranges of files, one hex digest per line (or `unreadable (why)`).

    python -I -S sha256_regions.py PATH OFFSET SIZE [PATH OFFSET SIZE ...]

Run by `layer_hashes.LayerHashes` as a child process, so hashing a layer never waits for the
GIL of the process that parses it. Standard library only: it runs isolated, without site
packages, and imports nothing of hullguard.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable

CHUNK = 4 << 20


def sha256_region(path: str, offset: int, size: int, stopped: Callable[[], bool] = lambda: False) -> str:
    digest = hashlib.sha256()
    buffer = memoryview(bytearray(min(CHUNK, max(size, 1))))
    with open(path, "rb", buffering=0) as f:
        f.seek(offset)
        left = size
        while left and not stopped():
            count = f.readinto(buffer[: min(left, len(buffer))])
            if not count:
                break  # the file is shorter than its region: the digest will not match
            digest.update(buffer[:count])
            left -= count
    return digest.hexdigest()


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
