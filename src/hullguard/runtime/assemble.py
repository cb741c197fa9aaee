"""Records to SyscallEvents: the process table kept current, arguments rendered as Falco names
them, a small per-process descriptor table (so `dup2` of a socket is known as one), and the
container attached from the cgroup."""

from __future__ import annotations

import dataclasses
import os
import posixpath
from collections.abc import Callable
from pathlib import Path

from hullguard.runtime.accounts import prime as prime_accounts
from hullguard.runtime.cgroups import CgroupMatch, match_cgroup, proc_cgroup
from hullguard.runtime.event import HOST_CONTAINER, Container, Fd, Process, SyscallEvent
from hullguard.runtime.flags import PTRACE_REQUESTS, SOCKET_FAMILIES, open_flags
from hullguard.runtime.process import ProcessTable
from hullguard.runtime.record import Record, RecordKind
from hullguard.runtime.sockaddr import endpoint, parse_sockaddr
from hullguard.runtime.syscalls import EXEC, OPEN

AT_FDCWD = -100
MAX_FDS_PER_PROCESS = 256
O_DIRECTORY = os.O_DIRECTORY

ContainerLookup = Callable[[CgroupMatch, int], Container]
"""(the cgroup's container, pid of a process in it) → Container as known now."""


class Assembler:
    def __init__(self, lookup: ContainerLookup, proc: Path = Path("/proc")) -> None:
        self.table = ProcessTable(proc)
        self._lookup = lookup
        self._fds: dict[int, dict[int, Fd]] = {}
        self._cgroups: dict[str, CgroupMatch | None] = {}
        self._pid_matches: dict[int, CgroupMatch | None] = {}
        st = os.stat("/")
        self._host_root = (st.st_dev, st.st_ino)
        self._num = 0

    def feed(self, record: Record) -> SyscallEvent | None:
        match record.kind:
            case RecordKind.FORK:
                if record.child is not None:
                    self.table.fork(record.pid, record.child, record.ts_ns)
                    if record.pid in self._fds:
                        self._fds[record.child] = dict(self._fds[record.pid])
                return None
            case RecordKind.EXIT:
                self.table.exit(record.pid)
                self._fds.pop(record.pid, None)
                self._pid_matches.pop(record.pid, None)
                return None
        if record.syscall is None or (record.syscall in EXEC and record.ret != 0):
            return None  # a failed exec changed nothing: the caller's PATH search, not a spawn
        process = self._process(record)
        self._num += 1
        args, fd, flags = self._details(record, process)
        return SyscallEvent(num=self._num, ts_ns=record.ts_ns, type=record.syscall, res=record.ret, tid=record.tid,
                            process=process, args=args, fd=fd, open_flags=flags)

    def container(self, pid: int, leaf: str | None) -> Container:
        """By the cgroup leaf the kernel reported (cached per leaf), else from /proc/PID/cgroup
        (cached per process); the Container is asked for each time, as its metadata may arrive later."""
        cache, key = (self._cgroups, leaf) if leaf is not None else (self._pid_matches, pid)
        if key in cache:
            match = cache[key]  # type: ignore[index]
        else:
            match = match_cgroup(leaf) if leaf else None
            if match is None:
                path = proc_cgroup(pid)
                match = match_cgroup(path) if path else None
            cache[key] = match  # type: ignore[index]
        return HOST_CONTAINER if match is None else self._lookup(match, pid)

    def _process(self, record: Record) -> Process:
        known = self.table.get(record.pid)
        if record.syscall in EXEC:
            known = self._exec(record, known)
        elif known is None:
            known = Process(pid=record.pid, tid=record.tid, name=record.comm or "", ppid=record.ppid)
        container = self.container(record.pid, record.cgroup)
        if record.syscall in EXEC and known.host_root is False:  # runc init still shows the host's files
            prime_accounts(container.id, record.pid)
        tty = record.tty if record.tty is not None else known.tty
        name = record.comm or known.name
        creds = ((record.uid, record.gid, record.loginuid, record.cap_effective, record.cap_permitted)
                 if record.credentials else
                 (known.uid, known.gid, known.loginuid, known.cap_effective, known.cap_permitted))
        if ((known.uid, known.gid, known.loginuid, known.cap_effective, known.cap_permitted) == creds
                and (known.tty, known.name, known.container) == (tty, name, container) and record.syscall not in EXEC):
            return known  # the common case: nothing changed since the last call
        uid, gid, loginuid, cap_effective, cap_permitted = creds
        updated = dataclasses.replace(
            known, uid=uid, gid=gid, loginuid=loginuid, tty=tty, cap_effective=cap_effective,
            cap_permitted=cap_permitted, name=name, container=container,
        )
        self.table.put(updated)
        return updated

    def _exec(self, record: Record, before: Process | None) -> Process:
        argv = [a.decode("utf-8", "surrogateescape") for a in (record.str1 or b"").split(b"\0")]
        while argv and argv[-1] == "":
            argv.pop()
        extra = self.table.read_proc(record.pid)
        cwd = extra.cwd or (before.cwd if before else None)
        exepath = record.str0
        try:
            exepath = os.readlink(f"/proc/{record.pid}/exe")
        except OSError:
            if exepath and not exepath.startswith("/") and isinstance(cwd, str):
                exepath = posixpath.normpath(posixpath.join(cwd, exepath))
        ino = ctime = mtime = size = None
        try:
            st = os.stat(f"/proc/{record.pid}/exe")
            ino, ctime, mtime, size = st.st_ino, st.st_ctime_ns, st.st_mtime_ns, st.st_size
        except OSError:
            pass
        try:
            root = os.stat(f"/proc/{record.pid}/root")
            host_root: bool | None = (root.st_dev, root.st_ino) == self._host_root
        except OSError:
            host_root = None
        ppid = record.ppid or (before.ppid if before else None)
        sid, pgid = extra.sid, extra.pgid
        return Process(
            pid=record.pid, tid=record.tid, ppid=ppid, vpid=extra.vpid,
            name=record.comm or "", exe=argv[0] if argv else record.str0, exepath=exepath, args=tuple(argv[1:]),
            cwd=cwd, sid=sid, pgid=pgid,
            start_ns=before.start_ns if before and before.start_ns else extra.start_ns,
            exe_from_memfd=bool(exepath and exepath.startswith("/memfd:")), exe_ino=ino, exe_size=size,
            exe_ctime_ns=ctime, exe_mtime_ns=mtime, host_root=host_root,
            parent=self.table.get(ppid) if ppid else None,
            session_leader=self.table.get(sid) if sid is not None and sid != record.pid else None,
            group_leader=self.table.get(pgid) if pgid is not None and pgid != record.pid else None,
            container=before.container if before else HOST_CONTAINER,
        )

    def _path(self, process: Process, dirfd: int, path: str | None) -> str | None:
        if not path or path.startswith("/"):
            return path
        base = process.cwd
        if dirfd != AT_FDCWD:
            known = self._fds.get(process.pid, {}).get(dirfd)
            base = known.name if known is not None and known.type == "directory" else None
        return posixpath.normpath(posixpath.join(base, path)) if base else path

    def _details(self, r: Record, p: Process) -> tuple[dict[str, str], Fd | None, int | None]:
        a = [_signed(x) for x in r.args] + [0] * (6 - len(r.args))
        name = r.syscall or ""
        s1 = _text(r.str1)
        fds = self._fds.setdefault(p.pid, {})
        if name in OPEN:
            dirfd, flags = (AT_FDCWD, a[1]) if name == "open" else (a[0], a[2])
            if name == "creat":
                flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
            path = self._path(p, dirfd, r.str0)
            kind = "directory" if flags & O_DIRECTORY else "file"
            fd = Fd(num=r.ret if r.ret >= 0 else -1, type=kind, name=path)
            if r.ret >= 0:
                self._remember(fds, r.ret, fd)
            return {"fd": str(r.ret), "name": path or "", "flags": open_flags(flags), "mode": oct(a[3] if name != "open" else a[2])}, fd, flags
        if name in EXEC:
            return {"res": str(r.ret), "exe": p.exe or "", "args": " ".join(p.args), "filename": r.str0 or ""}, None, None
        if name in ("connect", "bind", "accept", "accept4"):
            family, addr, unix_path = parse_sockaddr(r.str1)
            server = name == "accept" or name == "accept4" or name == "bind"
            fd = Fd(num=a[0] if name in ("connect", "bind") else r.ret, type=family or None,
                    client=addr if server and name != "bind" else None,
                    server=addr if not server or name == "bind" else None, local_is_server=server,
                    l4proto=fds.get(a[0], Fd()).l4proto if name == "connect" else "tcp",
                    family={"ipv4": "ip", "ipv6": "ip", "unix": "unix"}.get(family),
                    name=unix_path if family == "unix" else (f"->{endpoint(addr)}" if not server else endpoint(addr) + "->"))
            if fd.num is not None and fd.num >= 0:
                self._remember(fds, fd.num, fd)
            return {"fd": str(fd.num), "addr": fd.name or ""}, fd, None
        if name == "socket":
            domain = SOCKET_FAMILIES.get(a[0], str(a[0]))
            sock_type = a[1] & 0xF
            fd = Fd(num=r.ret, type={"AF_INET": "ipv4", "AF_INET6": "ipv6", "AF_UNIX": "unix"}.get(domain, "socket"),
                    l4proto={1: "tcp", 2: "udp"}.get(sock_type), family=domain)
            if r.ret >= 0:
                self._remember(fds, r.ret, fd)
            return {"domain": domain, "type": str(a[1]), "proto": str(a[2])}, fd, None
        if name in ("dup", "dup2", "dup3"):
            old = fds.get(a[0])
            if r.ret >= 0 and old is not None:
                old = dataclasses.replace(old, num=r.ret)
                self._remember(fds, r.ret, old)
            return {"oldfd": str(a[0]), "newfd": str(a[1]), "res": str(r.ret)}, old, None
        return _plain(name, r, a, s1, p, self._path), None, None

    @staticmethod
    def _remember(fds: dict[int, Fd], num: int, fd: Fd) -> None:
        if len(fds) >= MAX_FDS_PER_PROCESS and num not in fds:
            fds.pop(next(iter(fds)))
        fds[num] = fd


def _plain(name: str, r: Record, a: list[int], s1: str | None, p: Process,
           path: Callable[[Process, int, str | None], str | None]) -> dict[str, str]:
    s0 = r.str0 or ""
    match name:
        case "symlink":
            return {"target": s0, "linkpath": path(p, AT_FDCWD, s1) or ""}
        case "symlinkat":
            return {"target": s0, "linkdirfd": str(a[1]), "linkpath": path(p, a[1], s1) or ""}
        case "link" | "rename":
            return {"oldpath": path(p, AT_FDCWD, s0) or "", "newpath": path(p, AT_FDCWD, s1) or ""}
        case "linkat" | "renameat" | "renameat2":
            return {"olddir": str(a[0]), "oldpath": path(p, a[0], s0) or "", "newdir": str(a[2]),
                    "newpath": path(p, a[2], s1) or ""}
        case "unlink" | "mkdir" | "chmod":
            return {"path": path(p, AT_FDCWD, s0) or ""}
        case "unlinkat" | "mkdirat" | "fchmodat":
            return {"dirfd": str(a[0]), "name": path(p, a[0], s0) or "", "flags": str(a[2])}
        case "ptrace":
            return {"request": PTRACE_REQUESTS.get(a[0], str(a[0])), "pid": str(a[1])}
        case "memfd_create":
            return {"name": s0, "flags": str(a[1]), "fd": str(r.ret)}
        case "setuid" | "setgid":
            return {"uid" if name == "setuid" else "gid": str(a[0])}
        case "setreuid" | "setresuid":
            return {"ruid": str(a[0]), "euid": str(a[1]), "uid": str(a[1])}
        case "setregid" | "setresgid":
            return {"rgid": str(a[0]), "egid": str(a[1]), "gid": str(a[1])}
        case "mount":
            return {"dev": s0, "dir": s1 or "", "type": ""}
    return {"res": str(r.ret)} if r.ret < 0 else {}


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")

