"""What the service and its workers are told: where data lives, which registries, schedules, alert targets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hullguard.ignorefile import IgnoreRule
from hullguard.model import Severity
from hullguard.pipeline.options import ScannerName


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertTarget:
    name: str
    url: str
    style: str = "json"
    """`json` (generic), `slack` or `teams`: the payload shape the receiver expects."""
    min_severity: Severity = Severity.HIGH
    max_per_minute: int = 30


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerConfig:
    data_dir: Path
    database_url: str
    broker_url: str | None = None
    insecure_registries: tuple[str, ...] = ()
    cache_dir: Path | None = None
    """The vulnerability DB and layer caches: the CLI's `--cache-dir` / HULLGUARD_CACHE_DIR."""
    scanners: frozenset[ScannerName] = frozenset({"vuln", "secret"})
    layer_cache: bool = True
    """False: read every layer, neither use nor fill the layer cache (the CLI's --no-cache)."""
    db_update_interval: float = 0.0
    """Seconds between scheduled `db update` runs (each followed by re-judgement); 0 = never."""
    db_sources: tuple[str, ...] = ()
    """Where `db update` reads OSV data from; empty = the configured mirror's ecosystem exports."""
    poll_registries: tuple[str, ...] = ()
    poll_interval: float = 300.0
    alert_targets: tuple[AlertTarget, ...] = ()
    alert_min_severity: Severity = Severity.HIGH
    """New findings at or above this raise alerts."""
    ignore_rules: tuple[IgnoreRule, ...] = ()
    """From --ignorefile: applied to every scan and re-judgement, listed on the policies page."""
    worker_threads: int = 1
    signature_key: bytes | None = None
    """A cosign public key (PEM): each scanned digest's signatures are verified with it."""

    def insecure(self, host: str) -> bool:
        """Plain HTTP is allowed to --insecure-registry hosts and, as Docker allows, to loopback."""
        from hullguard.registry.transport import is_loopback

        return host in self.insecure_registries or is_loopback(host)
