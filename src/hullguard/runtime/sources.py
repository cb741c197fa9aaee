"""Event sources, the surest first: eBPF (every traced syscall), else the proc connector (execs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from hullguard.runtime.errors import SourceUnavailable
from hullguard.runtime.record import Record
from hullguard.runtime.syscalls import X86_64, Syscall

if TYPE_CHECKING:
    from hullguard.runtime.watch import WatchOptions

SOURCES = ("auto", "ebpf", "proc-connector")
FALLBACK_MISSING = ("connect, accept, symlink/link, unlink/rename, ptrace, memfd_create, setuid family, socket, "
                    "dup (their fd.* and evt.arg.*); open flags, descriptor numbers and failed opens; failed execs")


class Source(Protocol):
    name: str

    def open(self) -> None: ...
    def poll(self, timeout_ms: int) -> None: ...
    def dropped(self) -> int: ...
    def close(self) -> None: ...


def open_sources(options: WatchOptions, sink: Callable[[Record], None], warn: Callable[[str], None],
                 syscalls: tuple[Syscall, ...] = X86_64, success_only: frozenset[str] = frozenset()) -> list[Source]:
    """The sources asked for, attached; with `auto`, the proc connector when eBPF cannot attach."""
    from hullguard.runtime.bpf.source import EbpfSource
    from hullguard.runtime.fanotify import FanotifyOpenSource
    from hullguard.runtime.proc_connector import ProcConnectorSource

    if options.source in ("auto", "ebpf"):
        ebpf = EbpfSource(sink, syscalls, success_only=success_only)
        try:
            ebpf.open()
            return [ebpf]
        except SourceUnavailable as e:
            if options.source == "ebpf":
                raise
            warn(f"{e}; falling back to the proc connector (missing: {FALLBACK_MISSING})")
    source = ProcConnectorSource(sink)
    source.open()
    opens = FanotifyOpenSource(sink)
    try:
        opens.open()
    except SourceUnavailable as e:
        warn(f"{e}: no file opens are seen")
        return [source]
    return [source, opens]
