"""`db update`: download the configured ecosystems' exports (osv.dev's `<ecosystem>/all.zip`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote

from hullguard.vulndb.importer import ImportResult, import_locations

DEFAULT_MIRROR = "https://osv-vulnerabilities.storage.googleapis.com"
DEFAULT_ECOSYSTEMS = (
    "Debian",
    "Ubuntu",
    "Alpine",
    "AlmaLinux",
    "Rocky Linux",
    "PyPI",
    "npm",
    "Go",
    "Maven",
    "RubyGems",
    "crates.io",
    "NuGet",
    "Packagist",
)


def configured_ecosystems(explicit: str | None = None) -> tuple[str, ...]:
    text = explicit or os.environ.get("HULLGUARD_DB_ECOSYSTEMS")
    if not text:
        return DEFAULT_ECOSYSTEMS
    return tuple(e.strip() for e in text.split(",") if e.strip())


def mirror(explicit: str | None = None) -> str:
    return (explicit or os.environ.get("HULLGUARD_OSV_MIRROR") or DEFAULT_MIRROR).rstrip("/")


def export_url(base: str, ecosystem: str) -> str:
    return f"{base}/{quote(ecosystem)}/all.zip"


def update(
    path: Path,
    ecosystems: Sequence[str],
    base: str,
    ca_file: str | None = None,
    on_progress: Callable[[str, int], None] | None = None,
) -> ImportResult:
    urls = [export_url(base, e) for e in ecosystems]
    return import_locations(path, urls, ca_file=ca_file, on_progress=on_progress)
