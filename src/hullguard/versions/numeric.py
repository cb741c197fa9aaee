"""Dotted-number versions: CRAN (`.` or `-` separated) and Hackage (`.` separated)."""

from __future__ import annotations

import re

from hullguard.versions.base import Scheme


def _numbers(text: str, separators: str) -> tuple[int, ...]:
    parts = re.split(f"[{re.escape(separators)}]", text.strip())
    if not all(p.isdigit() for p in parts):
        raise ValueError(f"{text!r} is not a dotted-number version")
    return tuple(int(p) for p in parts)


CRAN = Scheme(name="cran", parse_key=lambda text: _numbers(text, ".-"))
HACKAGE = Scheme(name="hackage", parse_key=lambda text: _numbers(text, "."))
