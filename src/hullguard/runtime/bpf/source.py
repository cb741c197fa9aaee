"""The eBPF event source: raw tracepoints on sys_enter/sys_exit and process fork/exit, read
through libbpf's ring buffer; the records the kernel program writes decoded here."""

from __future__ import annotations

import functools
import os
import struct
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from hullguard.runtime.bpf.build import object_path
from hullguard.runtime.bpf.libbpf import BpfObject
from hullguard.runtime.bpf.ring import RingReader
from hullguard.runtime.errors import SourceUnavailable
from hullguard.runtime.record import Record, RecordKind
from hullguard.runtime.syscalls import BY_NR, X86_64, Syscall

# struct event in monitor.bpf.c
_EVENT = struct.Struct("<QQQq6QIiIIIIIIII16s128s256s512s")
_KINDS = {1: RecordKind.SYSCALL, 2: RecordKind.FORK, 3: RecordKind.EXIT}
PROGRAMS = ("on_enter", "on_exit", "on_fork", "on_process_exit")
NO_LOGINUID = 0xFFFFFFFF
RING_BYTES = 64 * 1024 * 1024
"""max_entries of the `events` ring buffer in monitor.bpf.c."""


class EbpfSource:
    """Attach on `open()`; `poll()` delivers records to `sink`; `dropped()` counts the kernel's losses."""

    name = "ebpf"

    def __init__(self, sink: Callable[[Record], None], syscalls: Iterable[Syscall] = X86_64,
                 object_file: Path | None = None, success_only: frozenset[str] = frozenset()) -> None:
        self._sink = sink
        self._syscalls = tuple(syscalls)
        self._success_only = success_only
        self._object_file = object_file
        self._obj: BpfObject | None = None
        self._ring: RingReader | None = None
        # bpf_ktime_get_ns is CLOCK_MONOTONIC: one offset turns it into wall time.
        self._offset = time.time_ns() - time.monotonic_ns()
        self.records = 0

    def open(self) -> None:
        if os.geteuid() != 0:
            raise SourceUnavailable("eBPF source: needs root (CAP_BPF and CAP_PERFMON)")
        self._obj = BpfObject(self._object_file or object_path(), PROGRAMS)
        try:
            self._obj.update("settings", 0, os.getpid(), 8)
            for s in self._syscalls:
                self._obj.update("interesting", s.nr, 2 if s.name in self._success_only else 1, 1)
                self._obj.update("layout", s.nr, s.layout, 4)
            self._ring = RingReader(self._obj.map_fd("events"), RING_BYTES, self._on_sample)
        except BaseException:
            self.close()
            raise

    def profile_cgroup(self, cgroup_id: int) -> None:
        """Count every syscall made in this (v2) cgroup, in the kernel (see syscall_counts)."""
        assert self._obj is not None
        self._obj.update("settings", 1, cgroup_id, 8)

    def syscall_counts(self) -> dict[int, int]:
        assert self._obj is not None
        counts = {nr: self._obj.percpu_sum("profile_counts", nr) for nr in range(512)}
        return {nr: n for nr, n in counts.items() if n}

    def poll(self, timeout_ms: int) -> None:
        if self._ring is not None:
            self._ring.poll(timeout_ms)

    def dropped(self) -> int:
        ring, table = self.drop_counts()
        return ring + table

    def drop_counts(self) -> tuple[int, int]:
        """(refused by the ring buffer, in-flight table full), counted in the kernel."""
        if self._obj is None:
            return 0, 0
        return self._obj.percpu_sum("drops", 0), self._obj.percpu_sum("drops", 1)

    def close(self) -> None:
        if self._ring is not None:
            self._ring.close()
            self._ring = None
        if self._obj is not None:
            self._obj.close()
            self._obj = None

    def _on_sample(self, data: bytes) -> None:
        self.records += 1
        self._sink(decode(data, self._offset))


def decode(data: bytes, offset: int) -> Record:
    if len(data) < _EVENT.size:  # trimmed by the kernel program: the strings it left out are empty
        data = data + bytes(_EVENT.size - len(data))
    (ts, cap_eff, cap_prm, ret, a0, a1, a2, a3, a4, a5, kind, nr, pid, tid, ppid, uid, gid, loginuid, tty, child,
     comm, cgroup, str0, str1) = _EVENT.unpack_from(data)
    syscall = BY_NR.get(nr)
    name = syscall.name if syscall else None
    if name in ("execve", "execveat") and ret == 0:
        str1 = str1[: min(a5, len(str1))]  # argv length, set by the kernel program
    return Record(
        kind=_KINDS.get(kind, RecordKind.SYSCALL), ts_ns=ts + offset, pid=pid, tid=tid, syscall=name, ret=ret,
        args=(a0, a1, a2, a3, a4, a5), str0=_text(str0) if syscall and syscall.str0 is not None else None,
        str1=str1, ppid=ppid or None, uid=uid, gid=gid, loginuid=None if loginuid == NO_LOGINUID else loginuid,
        tty=tty, cap_effective=cap_eff, cap_permitted=cap_prm, comm=_name(comm), cgroup=_name(cgroup) or None,
        child=child or None,
    )


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


@functools.lru_cache(maxsize=4096)
def _name(raw: bytes) -> str:
    """comm and cgroup names repeat: decoded once each."""
    return _text(raw)
