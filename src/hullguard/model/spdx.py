"""The SPDX licence vocabulary that analyzers and SBOM writers share: known ids, and whether a
text is a valid SPDX expression over them.

`data/spdx-ids.csv` lists the SPDX licence list's ids (current and deprecated, as CycloneDX's
schema bundles them), whether each is an exception, and what a deprecated id became
(`GPL-2.0+` -> `GPL-2.0-or-later`, from license_expression's index). It is derived from the two
installed libraries by `derive_ids()` (`python -m hullguard.model.spdx > data/spdx-ids.csv`),
and a test fails when they change: reading the libraries' JSON on every scan cost ~10 ms.
ScanCode's own aliases (`GPL`, `LicenseRef-GPL`) are not SPDX ids and are not taken.
Compound expressions are parsed by a symbol-less license_expression `Licensing`;
`get_spdx_licensing()` would build a matcher over 2,600 keys (~70 ms) for a lookup.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import license_expression

_TOKENS = re.compile(r"(\s+|\(|\))")
_OPERATORS = {"and": "AND", "or": "OR", "with": "WITH"}


@functools.cache
def _ids() -> dict[str, tuple[str, bool]]:
    """Licence and exception ids, and deprecated spellings (`GPL-2.0+`), by lower case: the
    canonical id and whether it is an exception."""
    return {listed.lower(): (canonical, exception == "1") for listed, canonical, exception in _rows()}


@functools.cache
def _listed() -> dict[str, str]:
    """The SPDX list's ids (licences and exceptions, current and deprecated) by lower case."""
    return {listed.lower(): listed for listed, _, _ in _rows()}


@functools.cache
def _rows() -> tuple[tuple[str, str, str], ...]:
    text = resources.files("hullguard").joinpath("data/spdx-ids.csv").read_text(encoding="utf-8")
    rows = (line.split(",") for line in text.splitlines()[1:] if line)
    return tuple((r[0], r[1], r[2]) for r in rows)


def derive_ids() -> str:
    """`data/spdx-ids.csv` as the installed cyclonedx-python-lib and license_expression give it."""
    import license_expression
    from cyclonedx.schema._res import SPDX_JSON

    with open(SPDX_JSON, encoding="utf-8") as f:
        listed = sorted(json.load(f)["enum"])
    known: dict[str, tuple[str, bool]] = {}
    for entry in license_expression.get_license_index():
        key = entry.get("spdx_license_key")
        if key in listed:
            for name in (key, *entry.get("other_spdx_license_keys", ())):
                if name in listed:
                    known.setdefault(name, (key, bool(entry.get("is_exception"))))
    lines = ["id,canonical,exception"]
    for name in listed:  # ids newer than license_expression's index keep their own name
        canonical, exception = known.get(name, (name, "exception" in name.lower()))
        lines.append(f"{name},{canonical},{int(exception)}")
    return "\n".join(lines) + "\n"


@functools.cache
def _parser() -> license_expression.Licensing:
    import license_expression  # for compound expressions only: most are `A AND B` over ids

    return license_expression.Licensing()


def licence_id(name: str) -> str | None:
    """`name` as the SPDX list spells it (`mit` -> `MIT`, `lgpl-2.1` -> `LGPL-2.1`, deprecated
    but listed) when it is a licence id; None for exceptions and names not on the list."""
    known = _ids().get(name.lower())
    return _listed()[name.lower()] if known is not None and not known[1] else None


@functools.lru_cache(maxsize=4096)
def expression(text: str) -> str | None:
    """`text` as a normalised SPDX expression (canonical ids, upper-case operators, minimal
    parentheses) when every symbol in it is a known SPDX licence, and an exception appears only
    after WITH; else None."""
    tokens = _TOKENS.split(text)
    words = [t for t in tokens if t and not t.isspace()]
    ids = _ids()
    if any(w.lower() not in ids and w.lower() not in _OPERATORS for w in words if w not in "()"):
        return None  # a symbol off the list: the parse below could only say the same, slower
    for joiner in ("and", "or"):
        if words and all(w.lower() == joiner if i % 2 else _is_licence(w) for i, w in enumerate(words)):
            # `A AND B AND C` (or all ORs) over known ids, as packages mostly declare: no parse
            if len(words) % 2:
                return f" {_OPERATORS[joiner]} ".join(ids[w.lower()][0] for w in words[::2])
            if joiner == "and":
                return None  # a dangling AND (the parser forgives a dangling OR: it decides)
    candidate = "".join(_OPERATORS.get(t.lower()) or _ids().get(t.lower(), (t,))[0] for t in tokens)
    try:
        parsed = _parser().parse(candidate)
    except Exception:  # besides ExpressionError it raises IndexError, AttributeError
        return None  # and AssertionError on odd symbols and dangling operators (`MIT AND`)
    if parsed is None or not all(_in_place(s) for s in _parser().license_symbols(parsed, decompose=False)):
        return None
    return str(parsed)


def _is_licence(word: str) -> bool:
    known = _ids().get(word.lower())
    return known is not None and not known[1]


def _in_place(symbol: license_expression.LicenseSymbol) -> bool:
    import license_expression

    ids = _ids()
    if isinstance(symbol, license_expression.LicenseWithExceptionSymbol):
        licence = ids.get(symbol.license_symbol.key.lower())
        exception = ids.get(symbol.exception_symbol.key.lower())
        return licence is not None and not licence[1] and exception is not None and exception[1]
    known = ids.get(symbol.key.lower())
    return known is not None and not known[1]


if __name__ == "__main__":
    print(derive_ids(), end="")
