"""Run the CLI with stderr on a real pseudo-terminal, as a user at a terminal would."""

from __future__ import annotations

import os
import subprocess
import sys
import threading


def run_on_terminal(argv: list[str], timeout: float = 300) -> tuple[int, bytes, bytes]:
    """`python -m hullguard.cli.main ARGV` with stdout piped and stderr on a pty; returns
    (exit code, stdout, everything the terminal received)."""
    master, slave = os.openpty()
    chunks: list[bytes] = []

    def drain() -> None:  # read as it comes: a full pty buffer would block the child
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "hullguard.cli.main", *argv],
            stdout=subprocess.PIPE,
            stderr=slave,
            timeout=timeout,
            check=False,
        )
    finally:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
    return result.returncode, result.stdout, b"".join(chunks)
