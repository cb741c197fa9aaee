"""Licence strings as packagers write them, turned into SPDX expressions where recognizable."""

from __future__ import annotations

import functools
import re
from importlib import resources

import license_expression

_OPERATORS = frozenset({"and", "or", "with"})
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
    return {alias.lower(): spdx for alias, spdx in rows}


@functools.cache
def _spdx_ids() -> dict[str, tuple[str, bool]]:
    """Every SPDX licence and exception id the library ships, and their deprecated spellings
    (`GPL-2.0+`), by lower case: the canonical id and whether it is an exception.

    Read from the library's index rather than through `get_spdx_licensing()`: that builds a
    matcher over all 2,600 ids (~70 ms, a tenth of a whole image scan) for what is a lookup."""
    ids: dict[str, tuple[str, bool]] = {}
    for entry in license_expression.get_license_index():
        key = entry.get("spdx_license_key")
        if key:
            for name in (key, *entry.get("other_spdx_license_keys", ())):
                ids.setdefault(name.lower(), (key, bool(entry.get("is_exception"))))
    return ids


@functools.cache
def _parser() -> license_expression.Licensing:
    """A licensing with no symbols: it parses the expression's structure; `_spdx_ids` judges
    the symbols."""
    return license_expression.Licensing()


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
    candidate = "".join(_token(p) for p in parts)
    try:
        expression = _parser().parse(candidate)
    except (license_expression.ExpressionError, AttributeError):
        return None  # the library raises these for odd symbols instead of reporting them
    if expression is None or not all(_known(s) for s in _parser().license_symbols(expression, decompose=False)):
        return None
    return str(expression)


def _known(symbol: license_expression.LicenseSymbol) -> bool:
    """A licence id in licence position, or `licence WITH exception` with each in its place."""
    ids = _spdx_ids()
    if isinstance(symbol, license_expression.LicenseWithExceptionSymbol):
        licence = ids.get(symbol.license_symbol.key.lower())
        exception = ids.get(symbol.exception_symbol.key.lower())
        return licence is not None and not licence[1] and exception is not None and exception[1]
    known = ids.get(symbol.key.lower())
    return known is not None and not known[1]

def normalize(text: str) -> str:
    """`to_spdx(text)`, or the text as written when it is not recognizable."""
    return to_spdx(text) or text.strip()


def _token(part: str) -> str:
    if not part.strip() or part in ("(", ")"):
        return part
    lower = part.lower()
    if lower in _OPERATORS:
        return lower.upper()
    if lower in _aliases():
        return _aliases()[lower]
    if lower.endswith("+") and lower[:-1] in _aliases():
        return _aliases()[lower[:-1]].replace("-only", "-or-later")
    if lower in _spdx_ids():
        return _spdx_ids()[lower][0]
    return part
