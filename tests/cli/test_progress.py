"""The layer progress bar: on a terminal only, and gone before the report is written."""

from __future__ import annotations

import argparse
import io

import pytest

from hullguard.cli.options import progress
from hullguard.pipeline import ProgressEvent
from tests.support.images import BuiltImage
from tests.support.terminal import run_on_terminal


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _args(quiet: bool = False) -> argparse.Namespace:
    return argparse.Namespace(quiet=quiet)


def _layer(index: int) -> ProgressEvent:
    return ProgressEvent(stage="layer", done=index, total=3, detail=f"sha256:{index}" * 8)


def test_no_bar_when_piped_or_quiet_and_quiet_silences_notes() -> None:
    for args, err, shown in (
        (_args(), io.StringIO(), "Signature verified for x@sha256:1\n"),
        (_args(quiet=True), _Terminal(), ""),
    ):
        show = progress(args, err)
        show(_layer(1))
        show(ProgressEvent(stage="note", detail="Signature verified for x@sha256:1"))
        assert err.getvalue() == shown
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
    code, out, terminal = run_on_terminal(
        [
            "image",
            str(demo_image.archive),
            "-f",
            "json",
            "--scanners",
            "",
            "--no-cache",  # a warm analysis cache reads no layer, so shows no bar
        ]
    )
    assert code == 0, terminal[-2000:]
    assert b"reading layers" in terminal
    assert out.lstrip().startswith(b"{")
