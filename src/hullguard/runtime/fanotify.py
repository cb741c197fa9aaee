"""fanotify: permission events (`FAN_OPEN_EXEC_PERM`) deny the exec of a file that is not in
the container's image (`--block-drift`); notifications (`FAN_OPEN`) are the file-open source
where eBPF cannot attach.

Each container's root mount is marked (through /proc/PID/root), never the host's, so host
execs are not held. The answering thread never starts a process (an exec it would itself
have to answer) and allows whatever it cannot decide at once."""

from __future__ import annotations

import ctypes
import os
import select
import struct
import threading
import time
from collections.abc import Callable, Iterator

from hullguard.runtime.errors import SourceUnavailable
from hullguard.runtime.record import Record, RecordKind

FAN_CLOEXEC = 0x1
FAN_NONBLOCK = 0x2
FAN_CLASS_NOTIF = 0x0
FAN_CLASS_CONTENT = 0x4
FAN_OPEN = 0x20
FAN_Q_OVERFLOW = 0x4000
FAN_MARK_ADD = 0x1
FAN_MARK_MOUNT = 0x10
FAN_OPEN_EXEC_PERM = 0x00040000
FAN_ALLOW = 0x1
FAN_DENY = 0x2
_METADATA = struct.Struct("=IBBHQii")
READS_PER_POLL = 4
_RESPONSE = struct.Struct("=iI")

Decide = Callable[[int, str, int, int], bool]
"""(pid, path, size, mtime_ns) → deny?"""
Denied = Callable[[int, str], None]


class FanotifyBlocker:
    name = "fanotify-perm"

    def __init__(self, decide: Decide, on_denied: Denied) -> None:
        self._decide, self._on_denied = decide, on_denied
        self._fd = -1
        self._marked: set[int] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.denied = 0

    def open(self) -> None:
        self._libc, self._fd = fanotify_group(FAN_CLOEXEC | FAN_CLASS_CONTENT)
        self._thread = threading.Thread(target=self._run, name="hullguard-fanotify", daemon=True)
        self._thread.start()

    def watch_root_of(self, pid: int, key: int) -> bool:
        """Mark the root mount of `pid` (a container's), once per `key` (its mount namespace)."""
        return mark_root(self._libc, self._fd, self._marked, pid, key, FAN_OPEN_EXEC_PERM)

    def poll(self, timeout_ms: int) -> None:
        return None  # answered on its own thread: a permission event must never wait for the main loop

    def dropped(self) -> int:
        return 0

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._fd >= 0:
            os.close(self._fd)  # the kernel allows whatever is still pending
            self._fd = -1

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._fd], [], [], 0.2)
            if not ready:
                continue
            try:
                data = os.read(self._fd, 8192)
            except OSError:
                continue
            for mask, fd, pid in iter_events(data):
                if fd >= 0:
                    self._answer(fd, pid, mask)

    def _answer(self, fd: int, pid: int, mask: int) -> None:
        deny = False
        path = ""
        try:
            path = os.readlink(f"/proc/self/fd/{fd}")
            st = os.fstat(fd)
            deny = bool(mask & FAN_OPEN_EXEC_PERM) and self._decide(pid, path, st.st_size, st.st_mtime_ns)
        except Exception:
            deny = False
        finally:
            try:
                os.write(self._fd, _RESPONSE.pack(fd, FAN_DENY if deny else FAN_ALLOW))
            finally:
                os.close(fd)
        if deny:
            self.denied += 1
            self._on_denied(pid, path)


def iter_events(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(mask, fd, pid) of each fanotify_event_metadata in one read."""
    offset = 0
    while offset + _METADATA.size <= len(data):
        length, _vers, _res, _mlen, mask, fd, pid = _METADATA.unpack_from(data, offset)
        offset += max(length, _METADATA.size)
        yield mask, fd, pid


def mark_root(libc: ctypes.CDLL, group: int, marked: set[int], pid: int, key: int, mask: int) -> bool:
    """Mark the root mount of `pid` (through /proc/PID/root), once per `key` (its mount namespace)."""
    if group < 0 or key in marked:
        return False
    marked.add(key)
    path = f"/proc/{pid}/root/".encode()
    return bool(libc.fanotify_mark(group, FAN_MARK_ADD | FAN_MARK_MOUNT, mask, -100, path) == 0)


def fanotify_group(flags: int) -> tuple[ctypes.CDLL, int]:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.fanotify_mark.argtypes = (ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int, ctypes.c_char_p)
    fd = libc.fanotify_init(flags, os.O_RDONLY | os.O_LARGEFILE | os.O_CLOEXEC)
    if fd < 0:
        raise SourceUnavailable(f"fanotify: {os.strerror(ctypes.get_errno())} (needs root and CONFIG_FANOTIFY)")
    return libc, fd


class FanotifyOpenSource:
    """File opens without eBPF: FAN_OPEN on the host's root mount and each container's root.

    Fallback only. fanotify says which file a process opened, not how: no flags (every open
    reads as O_RDONLY, so evt.is_open_write is false), no descriptor number (fd.num is 0), no
    failed opens, and only files on marked mounts (not /proc, /sys, tmpfs)."""

    name = "fanotify"

    def __init__(self, sink: Callable[[Record], None]) -> None:
        self._sink = sink
        self._fd = -1
        self._marked: set[int] = set()
        self._lost = 0
        self._self = os.getpid()

    def open(self) -> None:
        self._libc, self._fd = fanotify_group(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK)
        if self._libc.fanotify_mark(self._fd, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_OPEN, -100, b"/") != 0:
            err = ctypes.get_errno()
            os.close(self._fd)
            raise SourceUnavailable(f"fanotify: cannot mark / ({os.strerror(err)})")

    def watch_root_of(self, pid: int, key: int) -> bool:
        return mark_root(self._libc, self._fd, self._marked, pid, key, FAN_OPEN)

    def poll(self, timeout_ms: int) -> None:
        if self._fd < 0 or not select.select([self._fd], [], [], timeout_ms / 1000)[0]:
            return
        for _ in range(READS_PER_POLL):  # bounded: the proc connector's execs must not wait behind a flood
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return
            for mask, fd, pid in iter_events(data):
                if mask & FAN_Q_OVERFLOW:
                    self._lost += 1
                if fd < 0:
                    continue
                try:
                    path = os.readlink(f"/proc/self/fd/{fd}")
                finally:
                    os.close(fd)
                if pid != self._self:
                    self._sink(Record(kind=RecordKind.SYSCALL, ts_ns=time.time_ns(), pid=pid, tid=pid,
                                      syscall="openat", ret=0, args=(-100, 0, 0, 0, 0, 0), str0=path,
                                      comm=_comm(pid), credentials=False))

    def dropped(self) -> int:
        return self._lost

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _comm(pid: int) -> str | None:
    # Read now: the exec that named the process may reach us from the proc connector only
    # after this open, or the process may be gone by then.
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().rstrip("\n")
    except OSError:
        return None
