"""Package licences as SPDX license expressions, shared by the CycloneDX and SPDX writers."""

from __future__ import annotations

from functools import cache

from license_expression import ExpressionError, Licensing, get_spdx_licensing


@cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


def _normalise(text: str) -> str | None:
    # `Licensing.validate` itself can raise on some malformed keys; `parse` reports them all.
    try:
        parsed = _licensing().parse(text, validate=True, strict=True)
    except ExpressionError:
        return None
    return None if parsed is None else str(parsed.render())


def spdx_expression(licenses: tuple[str, ...]) -> str | None:
    """All of a package's licences as one normalised SPDX expression (joined with AND),
    or None when there are none or any of them is not an SPDX id or expression."""
    parts = [text.strip() for text in licenses if text.strip()]
    if not parts:
        return None
    return _normalise(" AND ".join(f"({p})" if len(parts) > 1 and " " in p else p for p in parts))


def is_spdx_id(text: str) -> bool:
    text = text.strip()
    return " " not in text and _normalise(text) is not None
