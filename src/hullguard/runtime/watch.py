"""The monitor's loop: sources attached, records assembled into events, rules and drift
evaluated, alerts written; ends on stop or after the duration, flushing every alert."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hullguard.events.ruleset import RuleSet
from hullguard.model import RuntimeAlert
from hullguard.runtime.alert import drift_alert, rule_alert
from hullguard.runtime.assemble import Assembler
from hullguard.runtime.cgroups import CgroupMatch, match_cgroup, proc_cgroup
from hullguard.runtime.drift import DriftChecker
from hullguard.runtime.event import HOST, Container, Process, SyscallEvent
from hullguard.runtime.fanotify import FanotifyBlocker
from hullguard.runtime.metadata import ContainerCatalog
from hullguard.runtime.outputs import Output
from hullguard.runtime.record import Record
from hullguard.runtime.sources import Source, open_sources
from hullguard.runtime.syscalls import EXEC

POLL_MS = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchOptions:
    duration: float | None = None
    source: str = "auto"
    """auto (eBPF, else the proc connector), ebpf, or proc-connector."""
    drift: bool = True
    block_drift: bool = False
    podman: tuple[str, ...] = ("podman",)


@dataclass(slots=True)
class WatchStats:
    records: int = 0
    events: int = 0
    alerts: int = 0
    dropped: int = 0
    sources: tuple[str, ...] = ()
    missing_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)


class Watcher:
    def __init__(self, ruleset: RuleSet[SyscallEvent], outputs: Sequence[Output], options: WatchOptions,
                 on_event: Callable[[SyscallEvent], None] | None = None,
                 warn: Callable[[str], None] = lambda _: None) -> None:
        self.ruleset, self.outputs, self.options = ruleset, outputs, options
        self.catalog = ContainerCatalog(podman=options.podman)
        self.drift = DriftChecker(self.catalog) if options.drift or options.block_drift else None
        self.assembler = Assembler(self._container, drift=self.drift.is_drift if self.drift else None)
        self.stats = WatchStats()
        self._on_event = on_event
        self._warn = warn
        self._sources: list[Source] = []
        self._lock = threading.Lock()
        self.blocker = FanotifyBlocker(self._deny, self._denied) if options.block_drift else None
        self._own_mnt = _mnt_ns(os.getpid())

    def _container(self, runtime: str, container_id: str, pid: int) -> Container:
        found = self.catalog.lookup(CgroupMatch(runtime, container_id))
        if self.drift is not None:
            self.drift.prepare(found)
        if self.blocker is not None:
            ns = _mnt_ns(pid)
            if ns is not None and ns != self._own_mnt:
                self.blocker.watch_root_of(pid, ns)
        return found

    def attach(self) -> tuple[str, ...]:
        """Open every source; their names, for the `watching (…)` line."""
        sources: list[Source] = []
        if self.blocker is not None:
            self.blocker.open()
            sources.append(self.blocker)
        sources.extend(open_sources(self.options, self._on_record, self._warn))
        self._sources = sources
        self.stats.sources = tuple(s.name for s in sources)
        return self.stats.sources

    def run(self, stop: threading.Event) -> WatchStats:
        deadline = None if self.options.duration is None else time.monotonic() + self.options.duration
        try:
            while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
                for source in self._sources:
                    source.poll(POLL_MS // max(len(self._sources), 1))
            for source in self._sources:  # what is already in the buffers is still reported
                source.poll(0)
        finally:
            self.stats.dropped = sum(s.dropped() for s in self._sources)
            for source in self._sources:
                source.close()
            for output in self.outputs:
                output.close()
        return self.stats

    def _on_record(self, record: Record) -> None:
        self.stats.records += 1
        event = self.assembler.feed(record)
        if event is None:
            return
        self.stats.events += 1
        if self._on_event is not None:
            self._on_event(event)
        for rule in self.ruleset.matches(event, event.type):
            self._emit(rule_alert(rule, event))
        if (event.type in EXEC and event.process.exe_upper_layer and not record.blocked
                and self.drift is not None and not self.options.block_drift):
            self._emit(drift_alert(event, event.process.exepath or event.process.exe or "", blocked=False))

    def _emit(self, alert: RuntimeAlert) -> None:
        with self._lock:  # the fanotify thread reports denied execs too
            self.stats.alerts += 1
            for output in self.outputs:
                output.write(alert)

    def _container_of(self, pid: int) -> Container | None:
        path = proc_cgroup(pid)
        match = match_cgroup(path) if path else None
        return None if match is None else self.catalog.cached(match.id)

    def _deny(self, pid: int, path: str, size: int, mtime_ns: int) -> bool:
        container = self._container_of(pid)
        if container is None or container.id == HOST or self.drift is None:
            return False
        return self.drift.drifted_file(container, path, size, mtime_ns) is True

    def _denied(self, pid: int, path: str) -> None:
        container = self._container_of(pid) or Container()
        try:
            name = open(f"/proc/{pid}/comm").read().strip()  # noqa: SIM115
        except OSError:
            name = ""
        process = Process(pid=pid, tid=pid, name=name, exepath=path, exe=path, container=container)
        event = SyscallEvent(num=0, ts_ns=time.time_ns(), type="execve", res=-1, process=process)
        self._emit(drift_alert(event, path, blocked=True))


def _mnt_ns(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}/ns/mnt").st_ino
    except OSError:
        return None
