"""PyPI versions: PEP 440 through `packaging`; legacy versions ordered as pip used to order them."""

from __future__ import annotations

import re

from packaging.utils import canonicalize_version
from packaging.version import InvalidVersion
from packaging.version import Version as Pep440Version

from hullguard.versions.base import Scheme

_LEGACY_PART = re.compile(r"(\d+|[a-z]+|\.|-)")
_LEGACY_REPLACE = {"pre": "c", "preview": "c", "-": "final-", "rc": "c", "dev": "@"}


def parse_key(text: str) -> Pep440Version:
    try:
        return Pep440Version(text.strip())
    except InvalidVersion as e:
        raise ValueError(str(e)) from e


def legacy_key(text: str) -> tuple[str, ...]:
    """setuptools' pre-PEP 440 ordering: zero-padded numbers, words ranked against `final`."""
    parts: list[str] = []
    for raw in _LEGACY_PART.split(text.strip().lower()):
        part = _LEGACY_REPLACE.get(raw, raw)
        if not part or part == ".":
            continue
        piece = part.zfill(8) if part[0].isdigit() else "*" + part
        if piece.startswith("*"):
            if piece < "*final":
                while parts and parts[-1] == "*final-":
                    parts.pop()
            while parts and parts[-1] == "00000000":
                parts.pop()
        parts.append(piece)
    while parts and parts[-1] == "00000000":
        parts.pop()
    parts.append("*final")
    return tuple(parts)


SCHEME = Scheme(name="pep440", parse_key=parse_key, fallback=legacy_key, canonical=canonicalize_version)
