"""The `cyclonedx` format: CycloneDX 1.6 JSON (built in `cyclonedx_bom`)."""

from __future__ import annotations

from typing import TextIO

from hullguard.model import Report


def write(report: Report, out: TextIO) -> None:
    # cyclonedx-python-lib is slow to import: only when this format is asked for.
    from hullguard.report.cyclonedx_bom import write as write_bom

    write_bom(report, out)
