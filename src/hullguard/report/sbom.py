"""What the CycloneDX and SPDX writers share: the clock, content-seeded ids, package facts."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from datetime import UTC, datetime

from hullguard.model import OS, Package, Report
from hullguard.report.json import to_dict

PROPERTY_PREFIX = "hullguard:"
_NAMESPACE = uuid.UUID("8a4b3c1e-6f0d-5e2a-9b7c-2d1e0f3a4b5c")


def now() -> datetime:
    """The document's creation time: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


def content_uuid(report: Report) -> uuid.UUID:
    """A UUID that depends only on what the report says, so the same scan gives the same id.
    The advice is left out: it is derived from the rest (and loading its table costs more than
    an inventory's whole BOM)."""
    text = json.dumps(to_dict(report, advice=False), sort_keys=True, separators=(",", ":"))
    return uuid.uuid5(_NAMESPACE, hashlib.sha256(text.encode()).hexdigest())


def artifact_facts(report: Report) -> list[tuple[str, str]]:
    """The artifact's digest and its layers' diff ids, bottom layer first, comma-separated."""
    a = report.artifact
    facts = [("artifact_digest", a.digest), ("layer_diff_ids", ",".join(a.layers))]
    return [(PROPERTY_PREFIX + name, value) for name, value in facts if value]


def os_facts(os: OS) -> list[tuple[str, str]]:
    facts = [
        ("os_eol", None if os.eol is None else str(os.eol).lower()),
        ("os_eol_date", os.eol_date.isoformat() if os.eol_date else None),
    ]
    return [(PROPERTY_PREFIX + name, value) for name, value in facts if value]


def package_facts(p: Package) -> list[tuple[str, str]]:
    """The facts about a package that neither format has a field for, as (name, value)."""
    facts = [
        ("package_type", p.type.value),
        ("layer_diff_id", p.layer),
        ("source_name", p.source_name),
        ("source_version", p.source_version),
        ("file_path", p.path),
        ("modularity_label", p.modularity_label),
    ]
    return [(PROPERTY_PREFIX + name, value) for name, value in facts if value]


def package_ref(p: Package, taken: set[str]) -> str:
    """The purl when no other package has it (the common case), else the purl plus the file."""
    ref = p.purl or f"{p.type.value}:{p.name}@{p.version}"
    if ref in taken:
        ref = f"{ref}#{p.path or ''}"
    n = 1
    base = ref
    while ref in taken:
        n += 1
        ref = f"{base}-{n}"
    taken.add(ref)
    return ref
