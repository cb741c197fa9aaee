"""The ASGI application: storage, task queue, schedules and routes wired together."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hullguard import __version__
from hullguard.errors import Error
from hullguard.server.auth import reader
from hullguard.server.config import ServerConfig
from hullguard.server.database import migrate, open_engine, sessions
from hullguard.server.delivery import deliver_due
from hullguard.server.jobs import run_scan_job
from hullguard.server.polling import poll_all
from hullguard.server.scheduler import Periodic, update_and_rejudge
from hullguard.server.schema import Scan
from hullguard.server.tasks import TaskQueue

log = logging.getLogger("hullguard.server")


@dataclass
class Services:
    sessions: sessionmaker[Session]
    queue: TaskQueue
    periodic: list[Periodic] = field(default_factory=list)


def start_services(config: ServerConfig) -> Services:
    engine = open_engine(config.database_url)
    migrate(engine)
    maker = sessions(engine)

    def hullguard_scan(scan_id: str) -> None:
        run_scan_job(scan_id, config, maker)

    queue = TaskQueue(config.broker_url, hullguard_scan)
    services = Services(sessions=maker, queue=queue)
    if config.broker_url is None:
        queue.start_worker(config.worker_threads)
        # The in-process broker keeps nothing across restarts: what the database says is unfinished goes again.
        with maker() as session:
            for scan_id in session.scalars(select(Scan.id).where(Scan.status.in_(("queued", "running")))):
                queue.enqueue(scan_id)
    client = httpx.Client()
    services.periodic.append(Periodic("alerts", 1.0, lambda: deliver_due(maker, config, client)))
    if config.db_update_interval > 0:
        services.periodic.append(Periodic("db-update", config.db_update_interval, lambda: update_and_rejudge(config, maker)))
    if config.poll_registries:
        def poll() -> None:
            queued, _ = poll_all(config, maker)
            for scan_id in queued:
                queue.enqueue(scan_id)

        services.periodic.append(Periodic("poll", config.poll_interval, poll))
    for job in services.periodic:
        job.start()
    return services


def create_app(config: ServerConfig) -> FastAPI:
    from hullguard.server.api import router
    from hullguard.server.dashboard import router as pages

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = start_services(config)
        app.state.sessions, app.state.queue, app.state.config = services.sessions, services.queue, config
        try:
            yield
        finally:
            for job in services.periodic:
                job.stop()
            services.queue.close()

    app = FastAPI(title="hullguard", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Image scans, registry notifications, re-judgement, alerts.")
    app.include_router(router)
    app.include_router(pages)

    @app.exception_handler(OperationalError)
    def database_away(request: Request, exc: OperationalError) -> JSONResponse:
        # A database restart: the client may retry; nothing was accepted that could be lost.
        return JSONResponse({"detail": "database unavailable; retry shortly"}, status_code=503,
                            headers={"Retry-After": "2"})

    @app.get("/healthz", include_in_schema=False)
    def healthz(request: Request) -> PlainTextResponse:
        try:
            with request.app.state.sessions() as session:
                session.execute(text("SELECT 1"))
        except Exception as e:  # any database failure makes the service unready; say which
            return PlainTextResponse(f"database unavailable: {type(e).__name__}\n", status_code=503)
        try:
            request.app.state.queue.ping()
        except Error as e:
            return PlainTextResponse(f"{e.diagnostics()}\n", status_code=503)
        return PlainTextResponse("ok\n")

    @app.get("/metrics", dependencies=[Depends(reader)], include_in_schema=False)
    def metrics(request: Request) -> Response:
        from hullguard.server.metrics import render

        return Response(render(request.app.state.sessions), media_type="text/plain; version=0.0.4; charset=utf-8")

    return app
