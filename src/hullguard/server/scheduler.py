"""Periodic jobs in the server process: `db update` followed by re-judgement, and registry polling."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from hullguard.server.config import ServerConfig
from hullguard.server.rejudge import Outcome, rejudge_all
from hullguard.server.schema import Setting

log = logging.getLogger("hullguard.server")


class Periodic:
    """Runs `job` every `interval` seconds on its own thread until stopped; a failing run is logged."""

    def __init__(self, name: str, interval: float, job: Callable[[], object]) -> None:
        self._stop = threading.Event()
        self._interval, self._job = interval, job
        self._thread = threading.Thread(target=self._loop, name=f"hullguard-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._job()
            except Exception:  # a scheduled job must not end the schedule: log it and go on
                log.exception("scheduled job %s failed", self._thread.name)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def update_and_rejudge(config: ServerConfig, sessions: sessionmaker[Session]) -> Outcome:
    """`db update` from the configured sources, then every stored inventory re-matched."""
    from hullguard.vulndb import store
    from hullguard.vulndb.importer import import_locations
    from hullguard.vulndb.update import configured_ecosystems, export_url, mirror

    sources = config.db_sources or tuple(export_url(mirror(), e) for e in configured_ecosystems())
    result = import_locations(store.db_path(config.cache_dir), list(sources))
    for problem in result.problems:
        log.warning("db update: %s", problem.message)
    outcome = rejudge_all(sessions, config)
    with sessions() as session:
        session.merge(Setting(key="last_rejudge", value=f"{outcome.images} images, {outcome.changed} changed, "
                                                         f"{outcome.alerts} alerts; {result.added} advisories added"))
        session.commit()
    log.info("db update: %d added, %d updated; re-judged %d images", result.added, result.updated, outcome.images)
    return outcome
