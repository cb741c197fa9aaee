"""The layer progress bar: on a terminal only, and gone before the report is written."""

from __future__ import annotations

import argparse
import io
from types import SimpleNamespace

import pytest

from hullguard.cli.options import layer_progress
from tests.support.images import BuiltImage
from tests.support.terminal import run_on_terminal


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _args(quiet: bool = False) -> argparse.Namespace:
    return argparse.Namespace(quiet=quiet)


def test_no_bar_when_piped_or_quiet() -> None:
    assert layer_progress(_args(), io.StringIO()) is None
    assert layer_progress(_args(quiet=True), _Terminal()) is None


def test_bar_counts_layers_and_is_cleared_on_stop() -> None:
    err = _Terminal()
    args = _args()
    bar = layer_progress(args, err)
    assert bar is not None and args.progress_bar is bar
    for index in range(3):
        bar(SimpleNamespace(index=index, diff_id=f"sha256:{index}" * 8), 3)
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
