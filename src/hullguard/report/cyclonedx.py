"""The `cyclonedx` format: CycloneDX 1.6 JSON (written in `cyclonedx_json`)."""

from __future__ import annotations

from typing import TextIO

from hullguard.model import Report


def write(report: Report, out: TextIO) -> None:
    from hullguard.report.cyclonedx_json import write as write_bom

    write_bom(report, out)
