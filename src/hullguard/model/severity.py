"""Severity: an ordered scale shared by every kind of finding."""

from __future__ import annotations

from enum import IntEnum


class Severity(IntEnum):
    UNKNOWN = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        """`'high'`, `'HIGH'` or `'moderate'` (GitHub's word for MEDIUM) to a Severity."""
        word = text.strip().upper()
        word = {"MODERATE": "MEDIUM", "IMPORTANT": "HIGH", "NEGLIGIBLE": "LOW"}.get(word, word)
        try:
            return cls[word]
        except KeyError:
            raise ValueError(
                f"unknown severity {text!r}; expected one of {', '.join(cls.__members__)}"
            ) from None
