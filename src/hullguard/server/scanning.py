"""The one call from the service into the scanning pipeline (a reference in, the JSON report out)."""

from __future__ import annotations

from typing import Any

from hullguard.server.config import ServerConfig


def scan_reference(target: str, config: ServerConfig) -> dict[str, Any]:
    """Scan an image as `hullguard image TARGET --format json` would, with the same cache dir.

    Kept to one function so that the pipeline's `scan(target, options)` refactor changes one place."""
    from hullguard.pipeline import ScanOptions, scan_image
    from hullguard.registry.reference import parse_reference
    from hullguard.report.json import to_dict
    from hullguard.sources import SourceOptions

    host = parse_reference(target).api_host
    options = ScanOptions(
        scanners=config.scanners,
        source=SourceOptions(insecure=config.insecure(host)),
        cache_dir=config.cache_dir,
    )
    return to_dict(scan_image(target, options))
