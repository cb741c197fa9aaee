"""What a scan is asked to do, as values: each scanner's options, the filters, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from hullguard.errors import UsageError
from hullguard.matchers.options import VulnOptions
from hullguard.model import Severity
from hullguard.secrets.options import SecretOptions
from hullguard.sources import SourceOptions

if TYPE_CHECKING:
    from hullguard.analyzers.base import Analyzer
    from hullguard.ignorefile import IgnoreRule
    from hullguard.matchers.vex import VexStatement
    from hullguard.rules.engine import ConfigOptions

ScannerName = Literal["vuln", "secret", "config"]
ALL_SCANNERS: tuple[ScannerName, ...] = ("vuln", "secret", "config")

Clock = Callable[[], datetime]
"""Now, as an aware datetime: injected so that expiry dates and reports can be tested."""


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Filters:
    """What every kind of finding goes through before it reaches a report."""

    severities: frozenset[Severity] | None = None
    """Only these severities; None keeps all."""
    ignore_unfixed: bool = False
    """Drop vulnerabilities that have no fixed version yet."""
    ignore_rules: tuple[IgnoreRule, ...] = ()
    """`--ignorefile` entries; an expired one hides nothing and leaves a note."""
    vex: tuple[VexStatement, ...] = ()
    """VEX `not_affected` statements; each suppression leaves a note."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanOptions:
    """One scan's options. Frozen and free of state: one value may serve many scans at once."""

    scanners: frozenset[ScannerName] = frozenset({"vuln", "secret"})
    source: SourceOptions = field(default_factory=SourceOptions)
    filters: Filters = field(default_factory=Filters)
    vuln: VulnOptions = field(default_factory=VulnOptions)
    secret: SecretOptions = field(default_factory=SecretOptions)
    config: ConfigOptions | None = None
    """Options of the config scanner; None: its defaults (its module loads only when it runs)."""
    analyzers: tuple[Analyzer, ...] | None = None
    """The analyzers to run; None: every registered one."""
    cache_dir: Path | None = None
    """The cache root (vulnerability DB, scan caches); None: the user cache directory."""
    use_cache: bool = True
    """False: read every layer and neither use nor fill the scan caches (the DB is still used)."""
    offline: bool = False
    clock: Clock = system_clock

    def __post_init__(self) -> None:
        unknown = set(self.scanners) - set(ALL_SCANNERS)
        if unknown:  # mypy catches this in our code; a service may build options from a request
            raise UsageError(f"unknown scanner(s) {', '.join(sorted(unknown))}; expected {', '.join(ALL_SCANNERS)}")

    def today(self) -> date:
        return self.clock().date()

    def scan_cache(self) -> Path | None:
        """The root of the scan caches, or None when they are off."""
        if not self.use_cache:
            return None
        from hullguard.cache import default_cache_dir

        return self.cache_dir or default_cache_dir()
