"""The service's calls into the scanning pipeline and the registry (a reference in, the JSON report out)."""

from __future__ import annotations

import logging
from typing import Any

from hullguard.errors import Error
from hullguard.server.config import ServerConfig

log = logging.getLogger("hullguard.server")


def scan_reference(target: str, config: ServerConfig) -> dict[str, Any]:
    """Scan an image as `hullguard image TARGET --format json` would, with the same cache dir.

    The service's one call into the scanning pipeline."""
    from hullguard.pipeline import Filters, ImageTarget, ScanOptions, scan
    from hullguard.registry.reference import parse_reference
    from hullguard.report.json import to_dict
    from hullguard.sources import SourceOptions

    try:
        insecure = config.insecure(parse_reference(target).api_host)
    except Error:
        insecure = False  # not a registry reference (the API admits only those; tests scan archives)
    options = ScanOptions(
        scanners=config.scanners,
        source=SourceOptions(insecure=insecure),
        cache_dir=config.cache_dir,
        use_cache=config.layer_cache,
        filters=Filters(ignore_rules=config.ignore_rules),
    )
    return to_dict(scan(ImageTarget(ref=target), options))


def signature_status(target: str, digest: str | None, config: ServerConfig) -> str | None:
    """With --signature-key: whether a cosign signature by that key verifies for this digest (as
    `hullguard verify --key`). Without: whether the registry holds a `sha256-<hex>.sig` tag."""
    from hullguard.registry.client import RegistryClient, fallback_tag
    from hullguard.registry.reference import Reference, parse_reference
    from hullguard.registry.transport import RegistryOptions

    if not digest:
        return None
    try:
        ref = parse_reference(target)
    except Error:
        return None  # not in a registry: nothing to look up
    if config.signature_key is not None:
        return _verify(f"{ref.registry}/{ref.repository}@{digest}", config)
    tag = f"{fallback_tag(digest)}.sig"
    try:
        with RegistryClient(ref.api_host, RegistryOptions(insecure=config.insecure(ref.api_host), retries=1)) as client:
            head = client.head_manifest(Reference(registry=ref.registry, repository=ref.repository, tag=tag))
    except Error as e:
        log.warning("signature lookup for %s failed: %s", target, e)
        return None
    return f"cosign signature tag {tag[:19]}….sig present (not verified)" if head is not None else None


def _verify(pinned: str, config: ServerConfig) -> str:
    from hullguard.registry.transport import RegistryOptions
    from hullguard.signing.keys import load_public_key
    from hullguard.signing.remote import open_target, verify_image

    assert config.signature_key is not None
    key = load_public_key(config.signature_key, "--signature-key")
    host = pinned.split("/", 1)[0]
    try:
        with open_target(pinned, RegistryOptions(insecure=config.insecure(host), retries=1)) as target:
            result = verify_image(target, key=key)
    except Error as e:
        return f"not verified: {e.diagnostics().splitlines()[0][:160]}"
    return f"verified: {len(result.signatures) + len(result.bundles)} signature(s) by --signature-key"
