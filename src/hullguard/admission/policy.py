"""What every admission policy is, and the namespaces they may look up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from hullguard.admission.decision import Outcome
from hullguard.admission.review import Request


@dataclass(frozen=True, slots=True, kw_only=True)
class Namespaces:
    """Namespace objects known to the webhook (config file): labels for PSS, `namespaceObject` for CEL."""

    objects: Mapping[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, name: str) -> dict[str, Any] | None:
        return self.objects.get(name)

    def labels(self, name: str) -> dict[str, str]:
        meta = (self.objects.get(name) or {}).get("metadata")
        labels = meta.get("labels") if isinstance(meta, dict) else None
        return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


class Policy(Protocol):
    @property
    def name(self) -> str: ...

    def review(self, request: Request, namespaces: Namespaces) -> Outcome: ...
