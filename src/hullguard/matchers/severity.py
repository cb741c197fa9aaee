"""Severity of an advisory: CVSS v3.x, else v4 (the `cvss` library), else the record's own word."""

from __future__ import annotations

from dataclasses import dataclass

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError

from hullguard.model import Severity
from hullguard.vulndb.osv import Advisory


@dataclass(frozen=True, slots=True)
class Rated:
    severity: Severity
    score: float | None = None
    vector: str | None = None


def rate(advisory: Advisory, affected_word: str | None = None) -> Rated:
    for kind in ("CVSS_V3", "CVSS_V4"):
        for entry in advisory.severity:
            if entry.type != kind:
                continue
            rated = _cvss(kind, entry.score)
            if rated is not None:
                return rated
    for word in (advisory.database_severity, affected_word, *_words(advisory)):
        if word:
            try:
                return Rated(Severity.parse(word))
            except ValueError:
                continue
    return Rated(Severity.UNKNOWN)


def _words(advisory: Advisory) -> list[str]:
    """Severity words a distro puts in `severity` (Ubuntu: `{"type": "Ubuntu", "score": "medium"}`)."""
    return [s.score for s in advisory.severity if not s.type.startswith("CVSS")]


def _cvss(kind: str, vector: str) -> Rated | None:
    try:
        if kind == "CVSS_V3":
            v3 = CVSS3(vector)
            score = float(v3.scores()[0])
            word = v3.severities()[0]
        else:
            v4 = CVSS4(vector)
            score = float(v4.base_score)
            word = v4.severity
    except (CVSSError, ValueError, KeyError, IndexError):
        return None
    severity = Severity.UNKNOWN if word.upper() == "NONE" else Severity.parse(word)
    return Rated(severity, score, vector)
