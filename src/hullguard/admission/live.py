"""Policies reloaded while serving: when a policy, configuration or namespaces file changes (a
mounted ConfigMap updated in place), the reviewer is built again; one that fails to build is
reported and the last good one keeps deciding."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from hullguard.admission.reviewer import Reviewer
from hullguard.errors import Error

LOG = logging.getLogger("uvicorn.error")


def stamp(paths: tuple[Path, ...]) -> tuple[tuple[int, int] | None, ...]:
    found: list[tuple[int, int] | None] = []
    for p in paths:
        try:
            info = p.stat()
            found.append((info.st_mtime_ns, info.st_size))
        except OSError:
            found.append(None)
    return tuple(found)


class LiveReviewer:
    def __init__(self, build: Callable[[], Reviewer], paths: tuple[Path, ...]) -> None:
        self.build, self.paths = build, paths
        self.seen = stamp(paths)
        self.current = build()
        self.lock = threading.Lock()
        self.reloads = 0
        self.last_error: str | None = None

    def check(self) -> bool:
        """Rebuild when a file changed; True when the new reviewer is in place."""
        now = stamp(self.paths)
        if now == self.seen:
            return False
        with self.lock:
            self.seen = now
            try:
                self.current = self.build()
            except Error as e:
                self.last_error = e.diagnostics()
                LOG.warning("hullguard: policies not reloaded, the previous ones stay: %s", self.last_error)
                return False
            self.reloads += 1
            self.last_error = None
            LOG.warning("hullguard: policies reloaded (%d)", self.reloads)
            return True
