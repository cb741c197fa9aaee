"""The netlink proc connector: exec, fork and exit of every process, without eBPF.

Fallback only: it carries pids, never arguments, so the rest comes from /proc when the event
is read (a process that already exited keeps only its pid). Missing compared with eBPF:
every non-exec system call (open, connect, accept, symlink, unlink, rename, ptrace,
memfd_create, setuid …: no fd.* and no evt.arg.*), failed execs, and evt.res."""

from __future__ import annotations

import contextlib
import os
import select
import socket
import struct
import time
from collections.abc import Callable

from hullguard.runtime.errors import SourceUnavailable
from hullguard.runtime.record import Record, RecordKind

NETLINK_CONNECTOR = 11
CN_IDX_PROC = 1
CN_VAL_PROC = 1
PROC_CN_MCAST_LISTEN = 1
PROC_CN_MCAST_IGNORE = 2
PROC_EVENT_FORK = 0x1
PROC_EVENT_EXEC = 0x2
PROC_EVENT_EXIT = 0x80000000
_NLMSG = struct.Struct("=IHHII")
_CN_MSG = struct.Struct("=IIIIHH")
_EVENT_HEAD = struct.Struct("=IIQ")
NLMSG_DONE = 3


class ProcConnectorSource:
    name = "proc-connector"

    def __init__(self, sink: Callable[[Record], None]) -> None:
        self._sink = sink
        self._sock: socket.socket | None = None
        self._offset = time.time_ns() - time.monotonic_ns()
        self._self = os.getpid()
        self._lost = 0

    def open(self) -> None:
        if os.geteuid() != 0:
            raise SourceUnavailable("proc connector: needs root (CAP_NET_ADMIN)")
        try:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_CONNECTOR)
            sock.bind((os.getpid(), CN_IDX_PROC))
            sock.send(_message(PROC_CN_MCAST_LISTEN))
        except OSError as e:
            raise SourceUnavailable(f"proc connector: {e}") from e
        sock.setblocking(False)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        self._sock = sock

    def poll(self, timeout_ms: int) -> None:
        if self._sock is None:
            return
        ready, _, _ = select.select([self._sock], [], [], timeout_ms / 1000)
        while ready:
            try:
                data = self._sock.recv(65536)
            except BlockingIOError:
                return
            except OSError:  # ENOBUFS: the kernel dropped messages
                self._lost += 1
                continue
            self._parse(data)

    def dropped(self) -> int:
        return self._lost

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.send(_message(PROC_CN_MCAST_IGNORE))
            self._sock.close()
            self._sock = None

    def _parse(self, data: bytes) -> None:
        offset = 0
        while offset + _NLMSG.size <= len(data):
            length = _NLMSG.unpack_from(data, offset)[0]
            body = offset + _NLMSG.size + _CN_MSG.size
            if length < _NLMSG.size or body + _EVENT_HEAD.size > len(data):
                return
            what, _cpu, ts = _EVENT_HEAD.unpack_from(data, body)
            payload = body + _EVENT_HEAD.size
            record = self._record(what, ts + self._offset, data, payload)
            if record is not None and record.pid != self._self:
                self._sink(record)
            offset += (length + 3) & ~3

    def _record(self, what: int, ts: int, data: bytes, at: int) -> Record | None:
        if what == PROC_EVENT_FORK:
            _ppid, parent_tgid, child_pid, child_tgid = struct.unpack_from("=IIII", data, at)
            if child_pid != child_tgid:
                return None
            return Record(kind=RecordKind.FORK, ts_ns=ts, pid=parent_tgid, tid=parent_tgid, child=child_tgid)
        if what == PROC_EVENT_EXIT:
            pid, tgid = struct.unpack_from("=II", data, at)
            return Record(kind=RecordKind.EXIT, ts_ns=ts, pid=tgid, tid=pid) if pid == tgid else None
        if what == PROC_EVENT_EXEC:
            pid, tgid = struct.unpack_from("=II", data, at)
            return exec_record(tgid, pid, ts)
        return None


def exec_record(pid: int, tid: int, ts: int) -> Record | None:
    base = f"/proc/{pid}"
    try:
        exe = os.readlink(f"{base}/exe")
        argv = open(f"{base}/cmdline", "rb").read()  # noqa: SIM115 - one read
        comm = open(f"{base}/comm").read().rstrip("\n")  # noqa: SIM115
        status = dict(line.split(":", 1) for line in open(f"{base}/status").read().splitlines() if ":" in line)  # noqa: SIM115
    except (OSError, ValueError):
        return None  # gone already: nothing but the pid would be known
    try:
        loginuid: int | None = int(open(f"{base}/loginuid").read())  # noqa: SIM115
    except (OSError, ValueError):
        loginuid = None
    uid, gid = int(status["Uid"].split()[1]), int(status["Gid"].split()[1])
    return Record(
        kind=RecordKind.SYSCALL, ts_ns=ts, pid=pid, tid=tid, syscall="execve", ret=0, str0=exe, str1=argv,
        ppid=int(status["PPid"]), uid=uid, gid=gid,
        loginuid=None if loginuid in (None, 0xFFFFFFFF) else loginuid,
        cap_effective=int(status["CapEff"], 16), cap_permitted=int(status["CapPrm"], 16), comm=comm,
        tty=_tty(base),
    )


def _tty(base: str) -> int | None:
    try:
        stat = open(f"{base}/stat").read()  # noqa: SIM115
        return int(stat[stat.rindex(")") + 2:].split()[4])
    except (OSError, ValueError, IndexError):
        return None


def _message(op: int) -> bytes:
    payload = struct.pack("=I", op)
    cn = _CN_MSG.pack(CN_IDX_PROC, CN_VAL_PROC, 0, 0, len(payload), 0) + payload
    return _NLMSG.pack(_NLMSG.size + len(cn), NLMSG_DONE, 0, 0, os.getpid()) + cn
