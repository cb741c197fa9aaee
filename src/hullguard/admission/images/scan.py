"""`--unknown-images scan`: an image without a stored scan is refused now and scanned in the
background, its report stored where `--max-severity` looks, so the API server's retry is decided.

`scan_into_store` is the one place admission calls the scanning pipeline.
"""

from __future__ import annotations

import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hullguard.errors import Error
from hullguard.registry.transport import RegistryOptions


def scan_into_store(image: str, digest: str, store: Path, registry: RegistryOptions) -> Path:
    from hullguard.pipeline import ImageTarget, ScanOptions, scan
    from hullguard.report.json import write
    from hullguard.sources import SourceOptions

    source = SourceOptions(insecure=registry.insecure, ca_cert=registry.ca_cert,
                           username=registry.username, password=registry.password)  # fmt: skip
    ref = f"{image.partition('@')[0]}@{digest}" if "@" not in image else image
    report = scan(ImageTarget(ref=ref), ScanOptions(scanners=frozenset({"vuln"}), source=source))
    store.mkdir(parents=True, exist_ok=True)
    target = store / f"{digest.replace(':', '-')}.json"
    fd, name = tempfile.mkstemp(dir=store, prefix=".scan-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        write(report, out)
    os.replace(name, target)  # readers see the whole report or none
    return target


class BackgroundScans:
    """One scan at a time, each digest once while it runs; failures are kept for the next refusal."""

    def __init__(self, store: Path, registry: RegistryOptions) -> None:
        self.store, self.registry = store, registry
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="admission-scan")
        self.lock = threading.Lock()
        self.running: set[str] = set()
        self.failed: dict[str, str] = {}

    def request(self, image: str, digest: str) -> str:
        """Starts a scan unless one runs; says what the refusal should tell the user."""
        with self.lock:
            if digest in self.failed:
                return f"its last scan failed: {self.failed.pop(digest)}; a new scan has started"
            if digest in self.running:
                return "a scan of it is running; retry shortly"
            self.running.add(digest)
        self.pool.submit(self._scan, image, digest)
        return "a scan of it has started; retry shortly"

    def _scan(self, image: str, digest: str) -> None:
        try:
            scan_into_store(image, digest, self.store, self.registry)
        except Error as e:
            with self.lock:
                self.failed[digest] = e.diagnostics().replace("\n", " ")
        except Exception as e:  # a scanner bug must not kill the worker thread silently
            with self.lock:
                self.failed[digest] = f"internal error: {e!r}"
        finally:
            with self.lock:
                self.running.discard(digest)
