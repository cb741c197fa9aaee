"""Falco's priorities, and the hullguard severity each one maps to."""

from __future__ import annotations

from enum import StrEnum

from hullguard.model import Severity


class Priority(StrEnum):
    EMERGENCY = "Emergency"
    ALERT = "Alert"
    CRITICAL = "Critical"
    ERROR = "Error"
    WARNING = "Warning"
    NOTICE = "Notice"
    INFORMATIONAL = "Informational"
    DEBUG = "Debug"

    @classmethod
    def parse(cls, text: str) -> Priority:
        word = text.strip().upper()
        word = {"INFO": "INFORMATIONAL", "WARN": "WARNING"}.get(word, word)
        try:
            return cls[word]
        except KeyError:
            raise ValueError(f"unknown priority {text!r}; expected one of {', '.join(p.value for p in cls)}") from None

    @property
    def severity(self) -> Severity:
        return _SEVERITY[self]


_SEVERITY = {
    Priority.EMERGENCY: Severity.CRITICAL,
    Priority.ALERT: Severity.CRITICAL,
    Priority.CRITICAL: Severity.CRITICAL,
    Priority.ERROR: Severity.HIGH,
    Priority.WARNING: Severity.MEDIUM,
    Priority.NOTICE: Severity.LOW,
    Priority.INFORMATIONAL: Severity.LOW,
    Priority.DEBUG: Severity.LOW,
}
