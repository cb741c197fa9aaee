"""fanotify permission events (`FAN_OPEN_EXEC_PERM`): deny the exec of a file that is not in
the container's image (`--block-drift`).

Each container's root mount is marked (through /proc/PID/root), never the host's, so host
execs are not held. The answering thread never starts a process (an exec it would itself
have to answer) and allows whatever it cannot decide at once."""

from __future__ import annotations

import ctypes
import os
import select
import struct
import threading
from collections.abc import Callable

from hullguard.runtime.errors import SourceUnavailable

FAN_CLOEXEC = 0x1
FAN_CLASS_CONTENT = 0x4
FAN_MARK_ADD = 0x1
FAN_MARK_MOUNT = 0x10
FAN_OPEN_EXEC_PERM = 0x00040000
FAN_ALLOW = 0x1
FAN_DENY = 0x2
_METADATA = struct.Struct("=IBBHQii")
_RESPONSE = struct.Struct("=iI")

Decide = Callable[[int, str, int, int], bool]
"""(pid, path, size, mtime_ns) → deny?"""
Denied = Callable[[int, str], None]


class FanotifyBlocker:
    name = "fanotify"

    def __init__(self, decide: Decide, on_denied: Denied) -> None:
        self._decide, self._on_denied = decide, on_denied
        self._fd = -1
        self._marked: set[int] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.denied = 0
        self.errors = 0

    def open(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        self._libc = libc
        libc.fanotify_mark.argtypes = (ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int, ctypes.c_char_p)
        fd = libc.fanotify_init(FAN_CLOEXEC | FAN_CLASS_CONTENT, os.O_RDONLY | os.O_LARGEFILE | os.O_CLOEXEC)
        if fd < 0:
            raise SourceUnavailable(f"fanotify: {os.strerror(ctypes.get_errno())} (needs root and CONFIG_FANOTIFY_ACCESS_PERMISSIONS)")
        self._fd = fd
        self._thread = threading.Thread(target=self._run, name="hullguard-fanotify", daemon=True)
        self._thread.start()

    def watch_root_of(self, pid: int, key: int) -> bool:
        """Mark the root mount of `pid` (a container's), once per `key` (its mount namespace)."""
        if self._fd < 0 or key in self._marked:
            return False
        path = f"/proc/{pid}/root/".encode()
        if self._libc.fanotify_mark(self._fd, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_OPEN_EXEC_PERM, -100, path) != 0:
            self.errors += 1
            return False
        self._marked.add(key)
        return True

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
            offset = 0
            while offset + _METADATA.size <= len(data):
                length, _vers, _res, _mlen, mask, fd, pid = _METADATA.unpack_from(data, offset)
                if fd >= 0:
                    self._answer(fd, pid, mask)
                offset += max(length, _METADATA.size)

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
