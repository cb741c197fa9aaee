"""The simple-signing payload cosign signs: which image (by digest) and optional claims."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hullguard.errors import SourceError
from hullguard.model import Digest
from hullguard.oci.manifest import check_digest
from hullguard.signing.errors import SigningError

SIGNATURE_TYPE = "cosign container image signature"


def go_json(doc: object) -> bytes:
    """JSON as Go's encoding/json writes it: compact, map keys sorted, <, >, & escaped."""
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)  # only strings can hold these characters
    return text.encode()


@dataclass(frozen=True, slots=True, kw_only=True)
class SimpleSigning:
    reference: str
    digest: Digest
    optional: tuple[tuple[str, Any], ...] = ()

    def claims(self) -> dict[str, Any]:
        return dict(self.optional)

    def to_json(self) -> dict[str, Any]:
        return {
            "critical": {
                "identity": {"docker-reference": self.reference},
                "image": {"docker-manifest-digest": self.digest},
                "type": SIGNATURE_TYPE,
            },
            "optional": dict(sorted(self.optional)) if self.optional else None,
        }


def make_payload(reference: str, digest: Digest, annotations: Mapping[str, str] | None = None) -> bytes:
    """The exact bytes cosign would sign for `reference` at `digest` with these annotations."""
    claims = tuple(sorted((annotations or {}).items()))
    return go_json(SimpleSigning(reference=reference, digest=digest, optional=claims).to_json())


def parse_payload(raw: bytes, where: str) -> SimpleSigning:
    try:
        doc = json.loads(raw)
        critical = doc["critical"]
        kind = critical["type"]
        reference = critical["identity"]["docker-reference"]
        digest = critical["image"]["docker-manifest-digest"]
    except (ValueError, KeyError, TypeError) as e:
        raise SigningError(f"{where}: not a simple-signing payload ({type(e).__name__}: {e})") from e
    if kind != SIGNATURE_TYPE:
        raise SigningError(f"{where}: payload type {kind!r} is not {SIGNATURE_TYPE!r}")
    optional = doc.get("optional") or {}
    if not isinstance(optional, dict):
        raise SigningError(f"{where}: payload 'optional' must be an object or null")
    try:
        checked = check_digest(digest, f"{where} docker-manifest-digest")
    except SourceError as e:
        raise SigningError(str(e)) from e
    return SimpleSigning(reference=str(reference), digest=checked, optional=tuple(sorted(optional.items())))
