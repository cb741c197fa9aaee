"""`hullguard worker --broker URL --database URL`: run scan jobs from the task queue."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from hullguard.cli.server import add_storage_arguments, server_config
from hullguard.errors import UsageError

NAME = "worker"
HELP = "run scan jobs that `hullguard server --broker URL` queues (any number, on any machine)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_storage_arguments(parser)
    parser.add_argument("--broker", required=True, help="redis://HOST:PORT/N, as given to the server")
    parser.add_argument("--threads", type=int, default=1, help="scans at a time in this process (default 1)")
    parser.add_argument("--insecure-registry", action="append", default=[], metavar="HOST:PORT",
                        help="allow plain HTTP to this registry (loopback hosts always may)")
    parser.add_argument("--ignorefile", type=Path, help="ignore entries (YAML), as given to the server")


def run(args: argparse.Namespace) -> int:
    from hullguard.server.database import open_engine, sessions
    from hullguard.server.jobs import run_scan_job
    from hullguard.server.tasks import TaskQueue

    if not args.broker.startswith(("redis://", "rediss://", "unix://")):
        raise UsageError(f"--broker {args.broker!r}: expected redis://HOST:PORT/N")
    config = server_config(args)
    maker = sessions(open_engine(config.database_url))

    def hullguard_scan(scan_id: str) -> None:
        run_scan_job(scan_id, config, maker)

    queue = TaskQueue(config.broker_url, hullguard_scan)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    queue.start_worker(args.threads)
    done.wait()
    queue.close()
    return 0
