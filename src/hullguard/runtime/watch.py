"""The monitor's loop: sources attached, records assembled into events, rules and drift
evaluated, alerts written; ends on stop or after the duration, flushing every alert."""

from __future__ import annotations

import dataclasses
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
from hullguard.runtime.resolver import HOLD_LIMIT, Resolver
from hullguard.runtime.sources import Source, open_sources
from hullguard.runtime.syscalls import EXEC, needed

POLL_MS = 100
SETTLE_S = 10.0
"""At the end, how long to wait for containers still being resolved before evaluating their events."""


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
    failed: int = 0
    """Records that could not be processed (a bug: reported at the end with the first error)."""
    first_failure: str = ""


class Watcher:
    def __init__(self, ruleset: RuleSet[SyscallEvent], outputs: Sequence[Output], options: WatchOptions,
                 on_event: Callable[[SyscallEvent], None] | None = None,
                 warn: Callable[[str], None] = lambda _: None) -> None:
        self.ruleset, self.outputs, self.options = ruleset, outputs, options
        catalog = ContainerCatalog(podman=options.podman)
        self.drift = DriftChecker(catalog) if options.drift or options.block_drift else None
        self.resolver = Resolver(catalog, self.drift.prepare if self.drift else None)
        self.assembler = Assembler(self._container)
        self.stats = WatchStats()
        self._on_event, self._warn = on_event, warn
        self._sources: list[Source] = []
        self._held: dict[str, list[SyscallEvent]] = {}
        self._lock = threading.Lock()
        self.blocker = FanotifyBlocker(self._deny, self._denied) if options.block_drift else None
        self._own_mnt = _mnt_ns(os.getpid())
        self._rooted: set[str] = set()

    def _container(self, match: CgroupMatch, pid: int) -> Container:
        found = self.resolver.lookup(match)
        if match.id not in self._rooted:
            # fanotify marks each container's root mount once (--block-drift, and file opens
            # where eBPF is unavailable); runc init may still be in the host's mount namespace.
            ns = _mnt_ns(pid)
            if ns is not None and ns != self._own_mnt:
                self._rooted.add(match.id)
                for marker in (s for s in (self.blocker, *self._sources) if hasattr(s, "watch_root_of")):
                    marker.watch_root_of(pid, ns)  # type: ignore[union-attr]
        return found

    def attach(self) -> tuple[str, ...]:
        """Open every source; their names, for the `watching (…)` line."""
        sources: list[Source] = []
        if self.blocker is not None:
            self.blocker.open()
            sources.append(self.blocker)
        syscalls, success_only = needed((r.condition.event_types, r.condition.node)
                                        for r in self.ruleset.rules if r.enabled)
        sources.extend(open_sources(self.options, self._on_record, self._warn, syscalls, success_only))
        self._sources = sources
        self.stats.sources = tuple(s.name for s in sources)
        return self.stats.sources

    def run(self, stop: threading.Event) -> WatchStats:
        deadline = None if self.options.duration is None else time.monotonic() + self.options.duration
        try:
            while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
                for source in self._sources:
                    source.poll(POLL_MS // max(len(self._sources), 1))
                self._release()
            for source in self._sources:  # what is already in the buffers is still reported
                source.poll(0)
            self._detach()  # before waiting for metadata: what happens after the stop is not counted as lost
            self._settle()
        finally:
            self._detach()
            self.resolver.close()
            for output in self.outputs:
                output.close()
        return self.stats

    def _detach(self) -> None:
        if not self._sources:
            return
        self.stats.dropped = sum(s.dropped() for s in self._sources)
        for source in self._sources:
            counts = getattr(source, "drop_counts", None)
            if counts is not None and self.stats.dropped:
                ring, table = counts()
                self._warn(f"{source.name} dropped: {ring} refused by the ring buffer (full, or its lock contended), "
                           f"{table} with the in-flight table full")
        for source in self._sources:
            source.close()
        self._sources = []

    def _on_record(self, record: Record) -> None:
        self.stats.records += 1
        try:
            self._process(record)
        except Exception as e:
            self.stats.failed += 1
            if not self.stats.first_failure:
                self.stats.first_failure = f"{record.syscall or record.kind} of pid {record.pid}: {e!r}"

    def _process(self, record: Record) -> None:
        event = self.assembler.feed(record)
        if event is None:
            return
        self.stats.events += 1
        cid = event.process.container.id
        if cid != HOST and self.resolver.pending(cid):
            held = self._held.setdefault(cid, [])
            if len(held) < HOLD_LIMIT:
                held.append(event)
                return
        self._evaluate(event)

    def _release(self, wait: float = 0.0) -> None:
        while True:
            try:
                cid = self.resolver.ready.get(timeout=wait) if wait else self.resolver.ready.get_nowait()
            except queue.Empty:
                return
            container = self.resolver.current(cid)
            for event in self._held.pop(cid, []):
                if container is not None:
                    event = dataclasses.replace(event, process=dataclasses.replace(event.process, container=container))
                self._evaluate(event)

    def _settle(self) -> None:
        end = time.monotonic() + SETTLE_S
        while self._held and time.monotonic() < end:
            self._release(wait=0.2)
        for cid in list(self._held):
            for event in self._held.pop(cid):
                self._evaluate(event)

    def _evaluate(self, event: SyscallEvent) -> None:
        if event.type in EXEC and self.drift is not None and event.process.container.id != HOST:
            upper = self.drift.is_drift(event.process)
            event = dataclasses.replace(event, process=dataclasses.replace(event.process, exe_upper_layer=upper))
        if self._on_event is not None:
            self._on_event(event)
        for rule in self.ruleset.matches(event, event.type):
            self._emit(rule_alert(rule, event))
        if (event.type in EXEC and event.process.exe_upper_layer and self.options.drift
                and not self.options.block_drift):
            self._emit(drift_alert(event, event.process.exepath or event.process.exe or "", blocked=False))

    def _emit(self, alert: RuntimeAlert) -> None:
        with self._lock:  # the fanotify thread reports denied execs too
            self.stats.alerts += 1
            for output in self.outputs:
                output.write(alert)

    def _container_of(self, pid: int) -> Container | None:
        path = proc_cgroup(pid)
        match = match_cgroup(path) if path else None
        return None if match is None else self.resolver.current(match.id)

    def _deny(self, pid: int, path: str, size: int, mtime_ns: int) -> bool:
        container = self._container_of(pid)
        if container is None or container.id == HOST or self.drift is None:
            return False
        return self.drift.drifted_file(container, path, size, mtime_ns) is True

    def _denied(self, pid: int, path: str) -> None:
        container = self._container_of(pid) or Container()
        try:
            with open(f"/proc/{pid}/comm") as f:
                name = f.read().strip()
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
