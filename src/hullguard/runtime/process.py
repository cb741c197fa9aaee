"""The process table: what is known about each live process, from exec/fork/exit records,
filled in from /proc for processes that started before the monitor (or whose details a
source does not carry)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from hullguard.runtime.event import HOST_CONTAINER, Container, Process

MAX_DEPTH = 16
PROC = Path("/proc")


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcDetails:
    cwd: str | None
    ppid: int | None
    pgid: int | None
    sid: int | None
    start_ns: int | None
    vpid: int | None


class ProcessTable:
    def __init__(self, proc: Path = PROC) -> None:
        self._proc = proc
        self._by_pid: dict[int, Process] = {}
        self._boot_ns = _boot_time_ns(proc)
        self._clk_tck = os.sysconf("SC_CLK_TCK")

    def __len__(self) -> int:
        return len(self._by_pid)

    def get(self, pid: int, depth: int = 0) -> Process | None:
        found = self._by_pid.get(pid)
        if found is None and pid > 0 and depth < MAX_DEPTH:
            found = self._from_proc(pid, depth)
            if found is not None:
                self._by_pid[pid] = found
        return found

    def put(self, process: Process) -> None:
        self._by_pid[process.pid] = process

    def fork(self, parent_pid: int, child_pid: int, ts_ns: int) -> None:
        parent = self.get(parent_pid)
        if parent is None:
            return
        self._by_pid[child_pid] = dataclasses.replace(
            parent, pid=child_pid, tid=child_pid, ppid=parent_pid, vpid=None, parent=parent, start_ns=ts_ns,
            pgid=parent.pgid, group_leader=parent.group_leader)

    def exit(self, pid: int) -> None:
        self._by_pid.pop(pid, None)

    def read_proc(self, pid: int) -> ProcDetails:
        """Details only /proc has: cwd, parent, session, group, start time, namespace pid."""
        base = self._proc / str(pid)
        cwd = ppid = pgid = sid = start_ns = vpid = None
        with contextlib.suppress(OSError):
            cwd = os.readlink(base / "cwd")
        try:
            stat = (base / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            ppid, pgid, sid = int(fields[1]), int(fields[2]), int(fields[3])
            start_ns = self._boot_ns + int(fields[19]) * 1_000_000_000 // self._clk_tck
        except (OSError, ValueError, IndexError):
            pass
        try:
            for line in (base / "status").read_text().splitlines():
                if line.startswith("NSpid:"):
                    vpid = int(line.split()[-1])
        except (OSError, ValueError):
            pass
        return ProcDetails(cwd=cwd, ppid=ppid, pgid=pgid, sid=sid, start_ns=start_ns, vpid=vpid)

    def _from_proc(self, pid: int, depth: int) -> Process | None:
        base = self._proc / str(pid)
        try:
            comm = (base / "comm").read_text().rstrip("\n")
            argv = [a.decode("utf-8", "surrogateescape") for a in (base / "cmdline").read_bytes().split(b"\0")[:-1]]
            status = {k: v.split() for k, _, v in (line.partition(":") for line in (base / "status").read_text().splitlines())}
        except OSError:
            return None
        extra = self.read_proc(pid)
        try:
            exepath: str | None = os.readlink(base / "exe")
        except OSError:
            exepath = None
        ppid = extra.ppid
        parent = self.get(ppid, depth + 1) if ppid and ppid != pid else None
        return Process(
            pid=pid, tid=pid, ppid=ppid, vpid=extra.vpid,
            name=comm, exe=argv[0] if argv else None, exepath=exepath, args=tuple(argv[1:]),
            cwd=extra.cwd,
            uid=_int(status.get("Uid", [None])[0]), gid=_int(status.get("Gid", [None])[0]),
            sid=extra.sid, pgid=extra.pgid, start_ns=extra.start_ns,
            cap_effective=_hex(status.get("CapEff")), cap_permitted=_hex(status.get("CapPrm")),
            container=HOST_CONTAINER, parent=parent,
        )


def with_container(process: Process, container: Container) -> Process:
    return process if process.container is container else dataclasses.replace(process, container=container)


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return None


def _hex(value: list[str] | None) -> int | None:
    try:
        return int(value[0], 16) if value else None
    except ValueError:
        return None


def _boot_time_ns(proc: Path) -> int:
    try:
        for line in (proc / "stat").read_text().splitlines():
            if line.startswith("btime "):
                return int(line.split()[1]) * 1_000_000_000
    except (OSError, ValueError):
        pass
    return 0
