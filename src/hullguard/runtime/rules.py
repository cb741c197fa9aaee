"""Falco rule files loaded for the runtime monitor: the event sources it can evaluate, by name."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hullguard.events.fields import FieldTable
from hullguard.events.ruleset import RuleSet, load_files
from hullguard.runtime.event import SyscallEvent
from hullguard.runtime.fields import SYSCALL_FIELDS

TABLES: dict[str, FieldTable[Any]] = {"syscall": SYSCALL_FIELDS}
"""The event sources whose rules the runtime monitor evaluates (k8s_audit is a later source)."""


def load_rules(paths: Sequence[Path]) -> RuleSet[SyscallEvent]:
    return load_files(paths, TABLES)
