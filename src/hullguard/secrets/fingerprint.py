"""A finding's commit-style fingerprint (defined with the model, so every writer can show it)."""

from __future__ import annotations

from hullguard.model.finding import location_fingerprint

__all__ = ["location_fingerprint"]
