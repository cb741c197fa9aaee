"""Licence strings as packagers write them, turned into SPDX expressions where recognizable."""

from __future__ import annotations

import functools
import re
from importlib import resources

from hullguard.model import spdx

_SAFE = re.compile(r"^[A-Za-z0-9_.:+\- ()]+$")
"""Characters an SPDX expression may hold; anything else is left as written."""
_TOKENS = re.compile(r"(\s+|\(|\))")
_AMBIGUOUS = frozenset({"gpl"})
"""Names the SPDX index resolves but packagers use loosely: bare `GPL` is any version to some
and the latest to Debian (`common-licenses/GPL` is GPL-3); they stay as written."""


@functools.cache
def _aliases() -> dict[str, str]:
    text = resources.files("hullguard").joinpath("data/license-aliases.csv").read_text(encoding="utf-8")
    rows = (line.rsplit(",", 1) for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {alias.lower(): spdx_id for alias, spdx_id in rows}


@functools.lru_cache(maxsize=4096)
def to_spdx(text: str) -> str | None:
    """The SPDX expression for `text` when every licence in it is known, else None.

    `GPL-2+ or Artistic-2.0` -> `GPL-2.0-or-later OR Artistic-2.0`; `MIT and ASL 2.0` ->
    `MIT AND Apache-2.0`; `GPLv2+ and BSD` -> None (BSD names no single licence).
    """
    text = " ".join(text.replace(",", " ").split())
    if not text or not _SAFE.match(text):
        return None
    for alias in (a for a in _aliases() if " " in a):
        text = re.sub(rf"(?i)(?<![\w.-]){re.escape(alias)}(?![\w.-])", _aliases()[alias], text)
    parts = _TOKENS.split(text)
    if any(p.lower() in _AMBIGUOUS for p in parts):
        return None
    return spdx.expression("".join(_token(p) for p in parts))


def normalize(text: str) -> str:
    """`to_spdx(text)`, or the text as written when it is not recognizable."""
    return to_spdx(text) or text.strip()


def _token(part: str) -> str:
    if not part.strip() or part in ("(", ")"):
        return part
    lower = part.lower()
    if lower in _aliases():
        return _aliases()[lower]
    if lower.endswith("+") and lower[:-1] in _aliases():
        return _aliases()[lower[:-1]].replace("-only", "-or-later")
    return part
