"""Storage on both backends: the migrated schema is exactly the models', and alert delivery
keeps its rate limit and backs off on failures (against a real HTTP receiver)."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from hullguard.model import Severity
from hullguard.server.alerts import record_alert
from hullguard.server.config import AlertTarget, ServerConfig
from hullguard.server.database import database_url, migrate, open_engine, sessions
from hullguard.server.delivery import deliver_due
from hullguard.server.schema import Base, Delivery
from hullguard.server.store import now
from tests.server.test_rejudge import Receiver


def _engine(tmp_path, database):  # type: ignore[no-untyped-def]
    engine = open_engine(database_url(tmp_path, database))
    migrate(engine)
    migrate(engine)  # on every start: a second run changes nothing
    return engine


def test_migrations_create_exactly_the_models(tmp_path, database) -> None:  # type: ignore[no-untyped-def]
    engine = _engine(tmp_path, database)

    def compared(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
        # Alembic compares indexes on expressions (DESC) only approximately: checked by name below.
        return name != "ix_images_rank"

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_object": compared}), Base.metadata)
        indexes = {i["name"]: i for i in inspect(conn).get_indexes("images")}
    engine.dispose()
    assert diff == []
    assert "ix_images_rank" in indexes


def test_deliveries_are_rate_limited_and_retried_with_backoff(tmp_path, database) -> None:  # type: ignore[no-untyped-def]
    receiver = Receiver(failures=1)
    target = AlertTarget(name="hook", url=receiver.url, max_per_minute=3, min_severity=Severity.LOW)
    config = ServerConfig(data_dir=tmp_path, database_url="", alert_targets=(target,))
    engine = _engine(tmp_path, database)
    maker = sessions(engine)
    try:
        with maker() as session:
            for n in range(5):
                record_alert(session, config, kind="runtime", key=f"k{n}", severity=Severity.HIGH, title=f"alert {n}",
                             detail={"n": n})
            assert record_alert(session, config, kind="runtime", key="k0", severity=Severity.HIGH, title="again",
                                detail={}) is None
            session.commit()
        with httpx.Client() as client:
            assert deliver_due(maker, config, client) == 4  # 1 fails (500), 3 sent, the 5th waits: limit 3/min
            with maker() as session:
                rows = {d.alert_id: d for d in session.scalars(select(Delivery))}
            statuses = sorted(d.status for d in rows.values())
            assert statuses == ["pending", "pending", "sent", "sent", "sent"]
            failed = next(d for d in rows.values() if d.attempts == 1 and d.status == "pending")
            assert failed.last_error == "HTTP 500" and failed.next_at > now()
            waiting = next(d for d in rows.values() if d.attempts == 0)
            assert waiting.next_at > now() + timedelta(seconds=10)
            assert deliver_due(maker, config, client) == 0  # nothing is due yet
        assert sorted(json.dumps(b["title"]) for b in receiver.bodies) == sorted(
            json.dumps(f"alert {n}") for n in range(1, 4))
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        engine.dispose()


def test_the_image_page_is_the_image_list_read_as_columns(tmp_path, database) -> None:  # type: ignore[no-untyped-def]
    """GET /images reads plain columns; it must give exactly what the ORM list gives, in order."""
    import random

    from hullguard.server import queries
    from hullguard.server.store import add_report, image_for

    engine = _engine(tmp_path, database)
    rng = random.Random(3)
    with sessions(engine)() as session:
        for n in range(60):
            findings = [{"kind": "vulnerability", "id": f"CVE-2024-{k}", "severity": rng.choice(("CRITICAL", "HIGH", "LOW")),
                         "package": {"name": f"p{k}", "version": "1"}, "location": {}} for k in range(rng.randint(0, 6))]  # fmt: skip
            doc = {"artifact": {"name": f"app{n}", "digest": f"sha256:{n:064x}"}, "findings": findings, "packages": []}
            add_report(session, image_for(session, f"registry.example/team{n % 4}/app{n}:1"), doc, "scan", None)
        session.commit()
        for args in ((20, 0, None, None), (20, 35, None, None), (100, 0, "team2", None),
                     (10, 0, None, "registry.example/team1/app5:1")):  # fmt: skip
            images, total = queries.list_images(session, *args)
            page, page_total = queries.image_page(session, *args)
            assert page == [queries.image_dict(i) for i in images] and page_total == total
            limit, offset, query, ref = args
            expected = 1 if ref else 15 if query else 60
            assert total == expected and len(images) == min(limit, expected - offset)
            assert all((query or "") in i.ref and ref in (None, i.ref) for i in images)
            ranks = [(-i.critical, -i.high, i.ref) for i in images]
            assert ranks == sorted(ranks)
    engine.dispose()
