"""Errors of the runtime monitor."""

from __future__ import annotations

from hullguard.errors import Error


class RuntimeMonitorError(Error):
    """The monitor cannot run as asked."""


class SourceUnavailable(RuntimeMonitorError):
    """An event source cannot attach here (no root, no eBPF, no libbpf, an old kernel)."""
