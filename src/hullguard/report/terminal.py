"""Text from scanned content made safe to show: control characters become visible escapes.

A package name, a path or a history step comes from the image, that is from whoever built it.
Shown raw, `\\x1b]0;...\\x07` retitles the user's terminal, `\\x1b[2J` clears it, and bidi
overrides reorder what is read. Table output and every message meant for a terminal or a text
file go through `neutralise`; JSON writers escape the same characters by themselves.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls, DEL, and the bidirectional marks, embeddings, overrides and isolates."""
_UNSAFE_KEEPING_NEWLINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralise(text: str, *, newlines: bool = False) -> str:
    """`text` with every control character shown as an escape (`\\x1b`); with `newlines`, line
    breaks are kept (a multi-line message), else they are escaped too (a table cell)."""
    return (_UNSAFE_KEEPING_NEWLINES if newlines else _UNSAFE).sub(_visible, text)
