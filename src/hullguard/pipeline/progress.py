"""How a scan talks back while it runs: progress events out, cancellation in. It never prints."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from hullguard.errors import Error


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgressEvent:
    stage: str
    """`layer` (one more layer read), `note` (something the user should see, e.g. a verified
    signature), or a stage's name when it starts."""
    done: int = 0
    total: int | None = None
    detail: str = ""


Progress = Callable[[ProgressEvent], None]


class Cancelled(Error):
    """The scan was cancelled through its `CancelToken`."""


class CancelToken:
    """Set from any thread; the scan stops at its next check (between layers and stages)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled("the scan was cancelled")


@dataclass(frozen=True, slots=True)
class Run:
    """One scan's callbacks, handed to each step."""

    progress: Progress | None = None
    cancel: CancelToken | None = None

    def step(self, stage: str, done: int = 0, total: int | None = None, detail: str = "") -> None:
        """Check for cancellation, then report."""
        if self.cancel is not None:
            self.cancel.check()
        if self.progress is not None:
            self.progress(ProgressEvent(stage=stage, done=done, total=total, detail=detail))
