"""Container metadata resolved off the event path: the runtime is asked (and the image listed
for drift) on a worker thread, while events keep flowing; events of a container still being
resolved are held (bounded) and evaluated once its name, image and files are known."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable

from hullguard.runtime.cgroups import CgroupMatch
from hullguard.runtime.event import Container
from hullguard.runtime.metadata import ContainerCatalog

HOLD_LIMIT = 20_000
"""Events held per container while it resolves; past this they are evaluated with what is known."""


class Resolver:
    def __init__(self, catalog: ContainerCatalog, prepare: Callable[[Container], None] | None = None) -> None:
        self.catalog = catalog
        self._prepare = prepare
        self._current: dict[str, Container] = {}
        self._pending: set[str] = set()
        self._jobs: queue.SimpleQueue[CgroupMatch | None] = queue.SimpleQueue()
        self.ready: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._work, name="hullguard-containers", daemon=True)
        self._thread.start()

    def lookup(self, match: CgroupMatch) -> Container:
        with self._lock:
            found = self._current.get(match.id)
            if found is None:
                found = Container(id=match.id, runtime=match.runtime)
                self._current[match.id] = found
                self._pending.add(match.id)
                self._jobs.put(match)
        return found

    def pending(self, container_id: str) -> bool:
        with self._lock:
            return container_id in self._pending

    def current(self, container_id: str) -> Container | None:
        with self._lock:
            return self._current.get(container_id)

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=5)

    def _work(self) -> None:
        while (match := self._jobs.get()) is not None:
            container = self.catalog.lookup(match)
            if self._prepare is not None:
                # Whatever fails, drift stays unknown for this image and events go on.
                with contextlib.suppress(Exception):
                    self._prepare(container)
            with self._lock:
                self._current[match.id] = container
                self._pending.discard(match.id)
            self.ready.put(match.id)
