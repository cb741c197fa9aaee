"""How a run ends: an unwritable --output refused before any work, a reader that went away
(`| head`), and the exit code unparseable configuration files call for."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from hullguard.errors import UsageError
from hullguard.model import Report


def check_output(args: argparse.Namespace) -> None:
    """--output must be writable before the scan starts, not after minutes of work.

    The file is opened for appending (so an existing report survives the check) and, when the
    check created it, removed again: unlike os.access this also tells the truth to root and
    on a read-only filesystem."""
    path = getattr(args, "output", None)
    if not isinstance(path, Path):
        return
    existed = path.exists()
    if path.is_dir():
        raise UsageError(f"--output {path}: is a folder; give a file name")
    try:
        path.open("ab").close()
    except OSError as e:
        raise UsageError(f"--output {path}: cannot write there: {e.strerror or e}") from e
    if not existed:
        path.unlink(missing_ok=True)


def quiet_closed_pipe() -> None:
    """The reader went away: send the rest of stdout nowhere, so that neither our writes nor
    the interpreter's flush at exit complain about it."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a real file (a test's capture): nothing to flush
        pass


def deliver(write: Callable[[Report, TextIO], None], report: Report, out: TextIO) -> None:
    """Write the report; a closed pipe ends the writing, not the run (its exit code still counts)."""
    try:
        write(report, out)
        out.flush()
    except BrokenPipeError:
        quiet_closed_pipe()


UNPARSEABLE_STAGES = frozenset({"config"})


def unparseable(report: Report) -> int:
    """Configuration files that could not be parsed (a Helm template is skipped, not broken)."""
    return sum(
        1
        for issue in report.issues
        if issue.stage in UNPARSEABLE_STAGES and not issue.message.startswith("skipped:")
    )


def config_exit_code(report: Report, args: argparse.Namespace, code: int) -> int:
    """Under --exit-code, a file the scan could not read is a failure too, unless
    --skip-unparseable says such files are expected."""
    if code or not args.exit_code or getattr(args, "skip_unparseable", False):
        return code
    return int(args.exit_code) if unparseable(report) else code
