"""Writers render a Report in one format each. Adding a format is one module and one line."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TextIO

from hullguard.model import Report

Writer = Callable[[Report, TextIO], None]

WRITERS: tuple[tuple[str, str], ...] = (
    ("table", "table"),
    ("json", "json"),
    ("cyclonedx", "cyclonedx"),
    ("spdx-json", "spdx"),
    ("sarif", "sarif"),
    ("html", "html"),
)
"""Format name and the module of this package whose `write` renders it. A module is imported
only when its format is asked for: the table's `rich` alone is a tenth of a JSON scan's start."""


def formats() -> tuple[str, ...]:
    return tuple(name for name, _ in WRITERS)


def writer_for(fmt: str) -> Writer:
    for name, module in WRITERS:
        if name == fmt:
            write: Writer = importlib.import_module(f"hullguard.report.{module}").write
            return write
    raise KeyError(fmt)
