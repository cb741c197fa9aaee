"""Open the service's database (SQLite in the data dir, or a URL) and bring its schema up to date."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from hullguard.errors import UsageError

MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(data_dir: Path, explicit: str | None) -> str:
    """`postgresql://` URLs use psycopg 3; without a URL, `hullguard.db` in the data dir."""
    if not explicit:
        return f"sqlite:///{data_dir / 'hullguard.db'}"
    try:
        url = make_url(explicit)
    except ArgumentError:
        # Not echoed: a URL carries its password.
        raise UsageError("--database: not a database URL; expected postgresql://USER:PASSWORD@HOST:PORT/DB") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    elif not url.drivername.startswith(("postgresql", "sqlite")):
        raise UsageError(f"--database: {url.drivername} is not supported; use postgresql://... or sqlite:///...")
    return url.render_as_string(hide_password=False)


def open_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pool_pre_ping: a connection the database dropped (a restart) is replaced, not handed out.
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Alembic `upgrade head` on this engine; safe to run on every start."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
