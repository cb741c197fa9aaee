"""The layer progress bar: on a terminal only, and gone before the report is written."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import threading

import pytest

from hullguard.cli.options import progress
from hullguard.pipeline import ProgressEvent
from tests.support.images import BuiltImage


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _args(quiet: bool = False) -> argparse.Namespace:
    return argparse.Namespace(quiet=quiet)


def _layer(index: int) -> ProgressEvent:
    return ProgressEvent(stage="layer", done=index, total=3, detail=f"sha256:{index}" * 8)


def test_no_bar_when_piped_or_quiet_but_notes_always() -> None:
    for args, err in ((_args(), io.StringIO()), (_args(quiet=True), _Terminal())):
        show = progress(args, err)
        show(_layer(1))
        show(ProgressEvent(stage="note", detail="Signature verified for x@sha256:1"))
        assert err.getvalue() == "Signature verified for x@sha256:1\n"
        assert not hasattr(args, "progress_bar")


def test_bar_counts_layers_and_is_cleared_on_stop() -> None:
    err = _Terminal()
    args = _args()
    show = progress(args, err)
    assert args.progress_bar is not None
    for index in range(3):
        show(_layer(index))
    args.progress_bar.stop()
    shown = err.getvalue()
    assert "reading layers" in shown and "2/3" in shown


@pytest.mark.integration
def test_real_terminal_gets_a_bar_and_stdout_only_the_report(demo_image: BuiltImage) -> None:
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
            [
                sys.executable,
                "-m",
                "hullguard.cli.main",
                "image",
                str(demo_image.archive),
                "-f",
                "json",
                "--scanners",
                "",
                "--no-cache",  # a warm analysis cache reads no layer, so shows no bar
            ],
            stdout=subprocess.PIPE,
            stderr=slave,
            timeout=300,
            check=False,
        )
    finally:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
    assert result.returncode == 0, b"".join(chunks)[-2000:]
    assert b"reading layers" in b"".join(chunks)
    assert result.stdout.lstrip().startswith(b"{")
