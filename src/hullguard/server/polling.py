"""Poll registries that cannot notify: catalog, tags, and a scan for every digest not seen before."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hullguard.errors import Error
from hullguard.server.config import ServerConfig
from hullguard.server.schema import Scan
from hullguard.server.store import ScanStatus, new_scan

log = logging.getLogger("hullguard.server")
_SIGNATURE_TAG = re.compile(r"sha256-[0-9a-f]{64}\.(sig|att|sbom)")
MAX_REPOSITORIES = 10_000


def poll_registry(host: str, config: ServerConfig, sessions: sessionmaker[Session]) -> list[str]:
    """The ids of the scans queued for new digests; a registry that is down raises an `Error`."""
    from hullguard.registry.client import RegistryClient
    from hullguard.registry.reference import Reference
    from hullguard.registry.transport import RegistryOptions

    queued: list[str] = []
    with RegistryClient(host, RegistryOptions(insecure=config.insecure(host), retries=1)) as client:
        for repository in client.catalog(limit=MAX_REPOSITORIES):
            for tag in client.list_tags(repository):
                if _SIGNATURE_TAG.fullmatch(tag):
                    continue
                head = client.head_manifest(Reference(registry=host, repository=repository, tag=tag))
                if head is None or head.digest is None:
                    continue
                target, ref = f"{host}/{repository}@{head.digest}", f"{host}/{repository}:{tag}"
                with sessions() as session:
                    seen = session.scalar(select(Scan.id).where(
                        Scan.target == target, Scan.ref == ref, Scan.status != ScanStatus.FAILED.value))
                    if seen is None:
                        queued.append(new_scan(session, target, ref, "poll").id)
    return queued


def poll_all(config: ServerConfig, sessions: sessionmaker[Session]) -> tuple[list[str], list[str]]:
    """Queued scan ids, and one message per registry that could not be polled."""
    queued: list[str] = []
    problems: list[str] = []
    for host in config.poll_registries:
        try:
            queued += poll_registry(host, config, sessions)
        except Error as e:
            problems.append(f"{host}: {e.diagnostics()}")
            log.warning("polling %s failed: %s", host, e)
    return queued, problems
