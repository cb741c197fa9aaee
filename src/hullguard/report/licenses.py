"""Package licences as SPDX license expressions, shared by the CycloneDX and SPDX writers."""

from __future__ import annotations

from hullguard.model import spdx


def spdx_expression(licenses: tuple[str, ...]) -> str | None:
    """All of a package's licences as one normalised SPDX expression (joined with AND),
    or None when there are none or any of them is not an SPDX id or expression."""
    parts = [text.strip() for text in licenses if text.strip()]
    if not parts:
        return None
    return spdx.expression(" AND ".join(f"({p})" if len(parts) > 1 and " " in p else p for p in parts))


def is_spdx_id(text: str) -> bool:
    text = text.strip()
    return " " not in text and spdx.expression(text) is not None
