"""The `spdx-json` format: SPDX 2.3 JSON (built in `spdx_document`)."""

from __future__ import annotations

from typing import TextIO

from hullguard.model import Report


def write(report: Report, out: TextIO) -> None:
    # spdx-tools costs a large part of the CLI's start-up to import: only when asked for.
    from hullguard.report.spdx_document import write as write_document

    write_document(report, out)
