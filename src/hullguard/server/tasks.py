"""The task-queue adapter: Dramatiq, on Redis with --broker, else its in-process broker.

Dramatiq rather than Celery: its Redis broker acknowledges a message only after the job ends
(a worker killed mid-scan leaves the message to be redelivered once its heartbeat lapses),
retries with exponential backoff are its default, and it is a tenth of Celery's size."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from hullguard.errors import Error

QUEUE = "hullguard-scans"
ACTOR = "hullguard_scan"


class QueueError(Error):
    """The task queue's broker cannot be reached."""


def heartbeat_ms() -> int:
    """How long a silent worker is presumed alive before its jobs go to others (HULLGUARD_QUEUE_HEARTBEAT_MS)."""
    return int(os.environ.get("HULLGUARD_QUEUE_HEARTBEAT_MS", "60000"))


class TaskQueue:
    """Sends scan jobs and, where asked, runs a Dramatiq worker for them in this process."""

    def __init__(self, broker_url: str | None, perform: Callable[[str], None], *, max_retries: int = 5) -> None:
        import dramatiq
        from dramatiq.brokers.stub import StubBroker

        if broker_url:
            from dramatiq.brokers.redis import RedisBroker

            beat = heartbeat_ms()
            # A short heartbeat (tests, small fleets) also needs frequent maintenance to notice it.
            chance = 1_000_000 if beat < 60000 else 1000
            self.broker: Any = RedisBroker(  # type: ignore[no-untyped-call]
                url=broker_url, heartbeat_timeout=beat, maintenance_chance=chance
            )
        else:
            self.broker = StubBroker()
            self.broker.emit_after("process_boot")
        decorate = dramatiq.actor(
            broker=self.broker, actor_name=ACTOR, queue_name=QUEUE, max_retries=max_retries,
            min_backoff=500, max_backoff=30_000, time_limit=30 * 60 * 1000,
        )
        self.actor = decorate(perform)
        self.worker: Any = None

    def enqueue(self, scan_id: str) -> None:
        try:
            self.actor.send(scan_id)
        except Exception as e:  # the broker's client raises its own types (redis.ConnectionError, ...)
            raise QueueError(f"task queue unavailable: {type(e).__name__}: {e}") from e

    def ping(self) -> None:
        """Raise QueueError when the broker cannot be reached (the in-process broker always can)."""
        client = getattr(self.broker, "client", None)
        if client is None:
            return
        try:
            client.ping()
        except Exception as e:  # as in enqueue
            raise QueueError(f"task queue unavailable: {type(e).__name__}") from e

    def start_worker(self, threads: int = 1) -> None:
        from dramatiq import Worker

        self.worker = Worker(self.broker, worker_threads=threads, worker_timeout=200)
        self.worker.start()

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop(timeout=10_000)
            self.worker = None
        self.broker.close()
