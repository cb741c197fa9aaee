"""Writers render a Report in one format each. Adding a format is one module and one line."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from hullguard.model import Report
from hullguard.report import cyclonedx as cyclonedx_writer
from hullguard.report import json as json_writer
from hullguard.report import sarif as sarif_writer
from hullguard.report import spdx as spdx_writer
from hullguard.report import table as table_writer

Writer = Callable[[Report, TextIO], None]

WRITERS: tuple[tuple[str, Writer], ...] = (
    ("table", table_writer.write),
    ("json", json_writer.write),
    ("cyclonedx", cyclonedx_writer.write),
    ("spdx-json", spdx_writer.write),
    ("sarif", sarif_writer.write),
)


def formats() -> tuple[str, ...]:
    return tuple(name for name, _ in WRITERS)


def writer_for(fmt: str) -> Writer:
    for name, writer in WRITERS:
        if name == fmt:
            return writer
    raise KeyError(fmt)
