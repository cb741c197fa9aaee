"""Severity: CVSS v3 first, then v4, then the record's word, else UNKNOWN; score and vector kept."""

from __future__ import annotations

from hullguard.matchers.severity import rate
from hullguard.model import Severity
from hullguard.vulndb.osv import Advisory
from hullguard.vulndb.osv import Severity as Score


def advisory(*scores: tuple[str, str], word: str | None = None) -> Advisory:
    return Advisory(
        id="X",
        modified="2024",
        severity=tuple(Score(type=t, score=s) for t, s in scores),
        database_severity=word,
    )


def test_cvss_v3_then_v4_then_word_then_unknown() -> None:
    v3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N"
    rated = rate(advisory(("CVSS_V4", v4), ("CVSS_V3", v3), word="LOW"))
    assert (rated.severity, rated.score, rated.vector) == (Severity.CRITICAL, 9.8, v3)
    rated = rate(advisory(("CVSS_V4", v4), word="HIGH"))
    assert rated.vector == v4 and rated.score is not None and rated.severity is Severity.MEDIUM
    assert rate(advisory(("CVSS_V3", "garbage"), word="moderate")).severity is Severity.MEDIUM
    assert rate(advisory(("Ubuntu", "medium"))).severity is Severity.MEDIUM
    assert rate(advisory()).severity is Severity.UNKNOWN
