"""A scan job as a worker runs it: claim, scan, store the result in one transaction."""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hullguard.errors import Error
from hullguard.server.alerts import finding_alerts
from hullguard.server.config import ServerConfig
from hullguard.server.scanning import scan_reference, signature_status
from hullguard.server.store import fail_scan, finish_scan, start_scan

log = logging.getLogger("hullguard.server")
MAX_ATTEMPTS = 3
"""A scan that raised this often (a bug, not bad input or an unreachable database) is marked failed."""


def run_scan_job(scan_id: str, config: ServerConfig, sessions: sessionmaker[Session]) -> None:
    """Bad input (a target that cannot be opened) fails the scan; anything else raises so the task
    queue retries the job. Nothing is written until the report is complete."""
    with sessions() as session:
        scan = start_scan(session, scan_id)
        if scan is None:
            return
        target = scan.target
    try:
        document = scan_reference(target, config)
    except Error as e:
        with sessions() as session:
            fail_scan(session, scan_id, e.diagnostics())
        return
    except OperationalError:
        raise  # the database is away: the task queue retries with backoff
    except Exception as e:
        if scan.attempts < MAX_ATTEMPTS:
            raise
        log.exception("scan %s failed %d times", scan_id, scan.attempts)
        with sessions() as session:
            fail_scan(session, scan_id, f"internal error after {scan.attempts} attempts: {e!r}")
        return
    signature = signature_status(target, (document.get("artifact") or {}).get("digest"), config)
    with sessions() as session:
        image, new = finish_scan(session, scan_id, document)
        image.signature = signature
        finding_alerts(session, config, image.ref, new, "new in a scan")
        session.commit()
    log.info("scan %s of %s done: %d findings", scan_id, target, len(document.get("findings", [])))
