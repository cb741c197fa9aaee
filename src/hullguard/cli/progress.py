"""What a user sees while waiting, on stderr: a spinner with elapsed time on a terminal, nothing
when piped or with --quiet; and notes (`Signed …`) that --quiet silences too.

`start_activity(args, text)` is one line at the top of a command: the report writer (`emit`)
takes it off the screen through `args.progress_bar`, as it does the image's layer bar, and an
error that ends the command early gives the cursor back at exit."""

from __future__ import annotations

import argparse
import atexit
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO


def _wanted(args: argparse.Namespace, err: TextIO) -> bool:
    return not getattr(args, "quiet", False) and err.isatty()


def note(args: argparse.Namespace, text: str) -> None:
    """A line for the user that is not the report: silenced by --quiet."""
    if not getattr(args, "quiet", False):
        sys.stderr.write(f"{text}\n")


class Activity:
    """A transient spinner line: `text  detail  0:00:03`."""

    def __init__(self, text: str, err: TextIO) -> None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[dim]{task.description}[/dim]"),
            TextColumn("[dim]{task.fields[detail]}[/dim]"),
            TimeElapsedColumn(),
            console=Console(file=err),
            transient=True,
        )
        self._task = self._progress.add_task(text, total=None, detail="")
        self._progress.start()
        atexit.register(self.stop)

    def update(self, detail: str) -> None:
        self._progress.update(self._task, detail=detail)

    def stop(self) -> None:
        self._progress.stop()


class _Silent:
    def update(self, detail: str) -> None:
        pass

    def stop(self) -> None:
        pass


def start_activity(args: argparse.Namespace, text: str, err: TextIO | None = None) -> Activity | _Silent:
    """A spinner until `emit` (or `stop`); a silent stand-in when piped or --quiet."""
    err = sys.stderr if err is None else err  # looked up now: tests replace sys.stderr
    activity: Activity | _Silent = Activity(text, err) if _wanted(args, err) else _Silent()
    if isinstance(activity, Activity):
        args.progress_bar = activity
    return activity


@contextmanager
def activity(args: argparse.Namespace, text: str, err: TextIO | None = None) -> Iterator[Any]:
    """A spinner for the length of a block; yields something with `update(detail)`."""
    shown = start_activity(args, text, err)
    try:
        yield shown
    finally:
        shown.stop()
