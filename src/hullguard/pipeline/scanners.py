"""The scanner registry: each scanner's name and how to build it from the scan's options.
A scanner's module is imported only when it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from hullguard.pipeline.options import ALL_SCANNERS, ScannerName, ScanOptions
from hullguard.scanners import Scanner


def _vuln(options: ScanOptions) -> Scanner:
    from hullguard.matchers.scanner import VulnScanner
    from hullguard.vulndb import store

    return VulnScanner(options.vuln.database or store.db_path(options.cache_dir))


def _secret(options: ScanOptions) -> Scanner:
    from hullguard.secrets.scanner import SecretScanner

    secret = options.secret
    if secret.verify and options.offline:  # --offline promises no network but the target's
        secret = replace(secret, verify=False)
    return SecretScanner(secret, options.scan_cache())


def _config(options: ScanOptions) -> Scanner:
    from hullguard.rules.engine import ConfigOptions
    from hullguard.rules.scanner import ConfigScanner

    return ConfigScanner(options.config or ConfigOptions())


SCANNERS: tuple[tuple[ScannerName, Callable[[ScanOptions], Scanner]], ...] = (
    ("vuln", _vuln),
    ("secret", _secret),
    ("config", _config),
)
assert tuple(name for name, _ in SCANNERS) == ALL_SCANNERS


def registered(options: ScanOptions) -> tuple[Scanner, ...]:
    """The scanners `options` asks for, built for this scan, in registry order."""
    return tuple(build(options) for name, build in SCANNERS if name in options.scanners)
