"""Predicates hullguard attests about its own scans: which report format becomes which type."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hullguard import __version__
from hullguard.signing.dsse import PREDICATE_TYPES

# report format -> cosign predicate type name
REPORT_PREDICATES = {"json": "vuln", "cyclonedx": "cyclonedx", "spdx-json": "spdxjson"}
SCANNER_URI = "pkg:pypi/hullguard"


def report_predicate(fmt: str, rendered: Any, started: datetime, finished: datetime) -> tuple[str, Any]:
    """(predicate type URI, predicate) for a report rendered in `fmt`; SBOMs go in as they are,
    the JSON report inside cosign's vulnerability-scan predicate."""
    kind = REPORT_PREDICATES[fmt]
    if kind != "vuln":
        return PREDICATE_TYPES[kind], rendered
    return PREDICATE_TYPES[kind], {
        "invocation": {"parameters": None, "uri": "", "event_id": "", "builder.id": ""},
        "scanner": {
            "uri": f"{SCANNER_URI}@{__version__}",
            "version": __version__,
            "db": {"uri": "", "version": ""},
            "result": rendered,
        },
        "metadata": {"scanStartedOn": _time(started), "scanFinishedOn": _time(finished)},
    }


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
