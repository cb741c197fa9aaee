"""`hullguard server`: the service (API, registry webhook, re-judgement, alerts, dashboard); `server token create`."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hullguard.errors import UsageError
from hullguard.model import Severity

if TYPE_CHECKING:
    from hullguard.server.config import AlertTarget, ServerConfig

NAME = "server"
HELP = "run the service: scans on push, re-judgement on new advisories, alerts, dashboard"


def add_storage_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=Path("hullguard-data"),
                        help="where the SQLite database lives (default ./hullguard-data)")
    parser.add_argument("--database", help="postgresql://USER:PASS@HOST:PORT/DB instead of SQLite")
    parser.add_argument("--cache-dir", type=Path, help="the vulnerability DB and layer caches (else HULLGUARD_CACHE_DIR)")
    parser.add_argument("--no-cache", action="store_true", help="read every layer; neither use nor fill the layer cache")
    parser.add_argument("--signature-key", type=Path, help="cosign public key: verify each scanned image's signatures")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_storage_arguments(parser)
    parser.add_argument("--listen", default="127.0.0.1:8080", help="HOST:PORT (default 127.0.0.1:8080)")
    parser.add_argument("--broker", help="redis://HOST:PORT/N: hand scans to `hullguard worker` processes")
    parser.add_argument("--insecure-registry", action="append", default=[], metavar="HOST:PORT",
                        help="allow plain HTTP to this registry (loopback hosts always may)")
    parser.add_argument("--workers", type=int, default=1, help="in-process worker threads without --broker")
    parser.add_argument("--db-update-interval", type=float, default=0.0, metavar="SECONDS",
                        help="run `db update` and re-judge every stored image this often (0 = never)")
    parser.add_argument("--db-source", action="append", default=[], metavar="LOCATION",
                        help="OSV zip, folder or URL for the scheduled update (default: the mirror's exports)")
    parser.add_argument("--poll-registry", action="append", default=[], metavar="HOST:PORT",
                        help="poll this registry's catalog and tags for new images")
    parser.add_argument("--poll-interval", type=float, default=300.0, metavar="SECONDS")
    parser.add_argument("--alert-webhook", action="append", default=[], metavar="NAME=URL[,style=json|slack|teams][,min=SEV][,per-minute=N]",
                        help="send alerts to this webhook")
    parser.add_argument("--alert-severity", default="HIGH", help="new findings at or above this raise alerts")
    parser.add_argument("--ignorefile", type=Path, help="ignore entries (YAML, as `image --ignorefile`) for every scan")
    sub = parser.add_subparsers(dest="server_command", metavar="token")
    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command", required=True)
    create = token.add_parser("create", help="make a token; it is printed once and stored hashed")
    create.add_argument("--role", choices=("admin", "viewer"), required=True)
    create.add_argument("--name", default="", help="who or what the token is for")
    add_storage_arguments(create)


def _alert_target(text: str) -> AlertTarget:
    from hullguard.server.config import AlertTarget

    name, _, rest = text.partition("=")
    url, *options = rest.split(",")
    if not name or not url.startswith(("http://", "https://")):
        raise UsageError(f"--alert-webhook {text!r}: expected NAME=http(s)://URL[,style=slack][,min=HIGH]")
    values = dict(o.partition("=")[::2] for o in options)
    unknown = set(values) - {"style", "min", "per-minute"}
    if unknown or values.get("style", "json") not in ("json", "slack", "teams"):
        raise UsageError(f"--alert-webhook {text!r}: options are style=json|slack|teams, min=SEVERITY, per-minute=N")
    try:
        return AlertTarget(name=name, url=url, style=values.get("style", "json"),
                           min_severity=Severity.parse(values.get("min", "LOW")),
                           max_per_minute=int(values.get("per-minute", "30")))
    except ValueError as e:
        raise UsageError(f"--alert-webhook {text!r}: {e}") from e


def server_config(args: argparse.Namespace) -> ServerConfig:
    """The service's configuration; `worker` and `token create` use the storage part only."""
    from hullguard.ignorefile import load_ignorefile
    from hullguard.server.config import ServerConfig
    from hullguard.server.database import database_url

    args.data_dir.mkdir(parents=True, exist_ok=True)
    base = ServerConfig(data_dir=args.data_dir, database_url=database_url(args.data_dir, args.database),
                        broker_url=getattr(args, "broker", None), cache_dir=args.cache_dir, layer_cache=not args.no_cache,
                        insecure_registries=tuple(getattr(args, "insecure_registry", ())),
                        ignore_rules=load_ignorefile(args.ignorefile) if getattr(args, "ignorefile", None) else (),
                        signature_key=_public_key(args.signature_key) if getattr(args, "signature_key", None) else None)
    if not getattr(args, "listen", None):
        return base
    try:
        threshold = Severity.parse(args.alert_severity)
    except ValueError as e:
        raise UsageError(f"--alert-severity: {e}") from e
    return replace(
        base, alert_min_severity=threshold, db_update_interval=args.db_update_interval,
        db_sources=tuple(args.db_source), poll_registries=tuple(args.poll_registry), poll_interval=args.poll_interval,
        alert_targets=tuple(_alert_target(t) for t in args.alert_webhook), worker_threads=args.workers,
    )


def _public_key(path: Path) -> bytes:
    from hullguard.signing.keys import load_public_key

    try:
        data = path.read_bytes()[:65536]
    except OSError as e:
        raise UsageError(f"--signature-key {path}: {e.strerror}") from e
    load_public_key(data, f"--signature-key {path}")  # a bad key fails now, not at the first scan
    return data


def _redacted(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port}" if parts.hostname else parts.scheme


def _listen(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise UsageError(f"--listen {text!r}: expected HOST:PORT")
    return host.strip("[]"), int(port)


def run(args: argparse.Namespace) -> int:
    if args.server_command == "token":
        return _create_token(args)
    import uvicorn

    from hullguard.server.app import create_app

    host, port = _listen(args.listen)
    config = server_config(args)
    shown = f"[{host}]" if ":" in host else host
    sys.stderr.write(f"hullguard server on http://{shown}:{port}/ (API /api/v1, OpenAPI /openapi.json); "
                     f"queue: {'Redis ' + _redacted(config.broker_url) if config.broker_url else 'in-process'}; "
                     f"database: {'PostgreSQL' if config.database_url.startswith('postgresql') else 'SQLite'}\n")
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")
    return 0


def _create_token(args: argparse.Namespace) -> int:
    from hullguard.server.database import migrate, open_engine, sessions
    from hullguard.server.tokens import Role, create_token

    config = server_config(args)
    engine = open_engine(config.database_url)
    migrate(engine)
    with sessions(engine)() as session:
        token = create_token(session, Role(args.role), args.name or args.role)
    sys.stdout.write(token + "\n")
    sys.stderr.write("hullguard: this token is shown once; it is stored only as a hash.\n")
    return 0
