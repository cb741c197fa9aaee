"""The `syscall` source's fields (evt.*, proc.*, thread.*, user.*, group.*, fd.*, container.*, k8s.*).

Each extractor reads the typed event; None means "not known for this event", which no
comparison matches (as in Falco). Fields not listed here make a rule fail to load."""

from __future__ import annotations

import errno
import socket

from hullguard.events.fields import ArgKind, Extractor, FieldSpec, FieldTable, FieldType, Value
from hullguard.events.fields import field_spec as f
from hullguard.runtime.accounts import group_of, user_of
from hullguard.runtime.event import HOST, Process, SyscallEvent
from hullguard.runtime.flags import OPEN_READ, OPEN_WRITE, capabilities

S, N, B, IP, NET = FieldType.STRING, FieldType.INT, FieldType.BOOL, FieldType.IPADDR, FieldType.IPNET
Ev = SyscallEvent
_HOSTNAME = socket.gethostname()


def _res(e: Ev, _: str | None) -> Value:
    if e.res >= 0:
        return "SUCCESS"
    return errno.errorcode.get(-e.res, str(e.res))


def _open_mode(mask: int) -> Extractor[Ev]:
    def extract(e: Ev, _: str | None) -> Value:
        if e.open_flags is None:
            return False
        access = e.open_flags & 3
        return bool((OPEN_READ if mask == 1 else OPEN_WRITE) & (1 << access))
    return extract


def _ancestor(n: int, attr: str, p: Process) -> Value:
    chain = p.ancestors()
    if n == 0:
        return getattr(p, attr)  # type: ignore[no-any-return]
    return getattr(chain[n - 1], attr) if n <= len(chain) else None


def _anc(attr: str) -> Extractor[Ev]:
    def extract(e: Ev, arg: str | None) -> Value:
        if arg is None:
            return tuple(v for v in (getattr(a, attr) for a in e.process.ancestors()) if v is not None)
        return _ancestor(int(arg), attr, e.process)
    return extract


def _parent(attr: str) -> Extractor[Ev]:
    return lambda e, _: getattr(e.process.parent, attr) if e.process.parent else None


def _ip(which: str, port: bool = False) -> Extractor[Ev]:
    def extract(e: Ev, _: str | None) -> Value:
        fd = e.fd
        if fd is None or (fd.client is None and fd.server is None):
            return None
        local, remote = (fd.server, fd.client) if fd.local_is_server else (fd.client, fd.server)
        if which == "":  # fd.ip / fd.port: either end
            return tuple(end[1] if port else end[0] for end in (fd.client, fd.server) if end is not None)
        end = {"c": fd.client, "s": fd.server, "l": local, "r": remote}[which]
        return None if end is None else (end[1] if port else end[0])
    return extract


def _fd(attr: str) -> Extractor[Ev]:
    return lambda e, _: getattr(e.fd, attr) if e.fd is not None else None


def _fd_name_part(e: Ev, which: str) -> Value:
    fd = e.fd
    if fd is None or fd.name is None or fd.type not in ("file", "directory", "memfd"):
        return None
    if fd.type == "directory" and which == "directory":
        return fd.name
    head, _, tail = fd.name.rpartition("/")
    return (head or "/") if which == "directory" else tail


_TYPECHAR = {"file": "f", "directory": "d", "ipv4": "4", "ipv6": "6", "unix": "u", "pipe": "p", "memfd": "m",
             "event": "e", "signalfd": "s", "eventpoll": "l", "inotify": "i", "timerfd": "t", "netlink": "n"}


def _cap(attr: str) -> Extractor[Ev]:
    def extract(e: Ev, _: str | None) -> Value:
        mask = getattr(e.process, attr)
        return None if mask is None else " ".join(capabilities(mask))
    return extract


def _mount_dest(e: Ev, arg: str | None) -> Value:
    for source, dest, rw in e.process.container.mounts:
        if arg is not None and (dest == arg or (arg.endswith("*") and dest.startswith(arg[:-1]))):
            return f"{source}:{dest}:{'rw' if rw else 'ro'}"
    return None


def _env(e: Ev, arg: str | None) -> Value:
    env = e.process.env
    if env is None:
        return None
    if arg is None:
        return " ".join(env)
    prefix = f"{arg}="
    return next((v[len(prefix):] for v in env if v.startswith(prefix)), None)


def _fd_num(e: Ev, _: str | None) -> Value:
    if e.fd is None:
        return None
    return e.fd.num if e.fd.num is not None else (e.res if e.type in _FD_RETURNING else None)


_FD_RETURNING = frozenset({"open", "openat", "openat2", "creat", "socket", "accept", "accept4", "memfd_create"})


def _duration(p: Process | None, now: int) -> Value:
    return None if p is None or p.start_ns is None else max(0, now - p.start_ns)


def _label(key: str) -> Extractor[Ev]:
    return lambda e, _: e.process.container.labels.get(key)


def _ip_name(e: Ev, _: str | None) -> Value:
    return None  # DNS names of peers are not tracked: names never match, as for an unresolved peer


_SPECS: tuple[FieldSpec[Ev], ...] = (
    # evt.*
    f("evt.type", S, lambda e, _: e.type, "system call name"),
    f("evt.dir", S, lambda e, _: "<", "always < (exit): events are read when the call returns"),
    f("evt.num", N, lambda e, _: e.num),
    f("evt.rawtime", N, lambda e, _: e.ts_ns),
    f("evt.time", S, lambda e, _: str(e.ts_ns)),
    f("evt.res", S, _res, "SUCCESS or the errno name"),
    f("evt.rawres", N, lambda e, _: e.res),
    f("evt.failed", B, lambda e, _: e.res < 0),
    f("evt.is_open_read", B, _open_mode(1)),
    f("evt.is_open_write", B, _open_mode(2)),
    f("evt.is_open_exec", B, lambda e, _: bool(e.open_flags is not None and e.args.get("exec") == "1")),
    f("evt.arg", S, lambda e, k: e.args.get(k or ""), "an argument by name", arg=ArgKind.KEY, arg_required=True),
    f("evt.rawarg", S, lambda e, k: e.args.get(k or ""), arg=ArgKind.KEY, arg_required=True),
    f("evt.args", S, lambda e, _: " ".join(f"{k}={v}" for k, v in e.args.items())),
    f("evt.hostname", S, lambda e, _: _HOSTNAME),
    f("evt.source", S, lambda e, _: "syscall"),
    # proc.*
    f("proc.pid", N, lambda e, _: e.process.pid),
    f("proc.ppid", N, lambda e, _: e.process.ppid),
    f("proc.vpid", N, lambda e, _: e.process.vpid),
    # "<NA>" for a process whose name is unknown, as Falco has it: rules exclude those with
    # `proc_name_exists` (not proc.name in ("<NA>", "N/A", "")).
    f("proc.name", S, lambda e, _: e.process.name or "<NA>"),
    f("proc.exe", S, lambda e, _: e.process.exe),
    f("proc.exepath", S, lambda e, _: e.process.exepath),
    f("proc.args", S, lambda e, _: " ".join(e.process.args)),
    f("proc.cmdline", S, lambda e, _: e.process.cmdline or None),
    f("proc.cmdnargs", N, lambda e, _: len(e.process.args)),
    f("proc.cwd", S, lambda e, _: e.process.cwd),
    f("proc.tty", N, lambda e, _: e.process.tty),
    f("proc.sid", N, lambda e, _: e.process.sid),
    f("proc.sname", S, lambda e, _: e.process.session_leader.name if e.process.session_leader else None),
    f("proc.vpgid", N, lambda e, _: e.process.pgid),
    f("proc.vpgid.name", S, lambda e, _: e.process.group_leader.name if e.process.group_leader else None),
    f("proc.vpgid.exe", S, lambda e, _: e.process.group_leader.exe if e.process.group_leader else None),
    f("proc.is_vpgid_leader", B, lambda e, _: None if e.process.pgid is None else e.process.pgid == e.process.pid),
    f("proc.pname", S, _parent("name")),
    f("proc.pexe", S, _parent("exe")),
    f("proc.pexepath", S, _parent("exepath")),
    f("proc.pcmdline", S, _parent("cmdline")),
    f("proc.aname", S, _anc("name"), "ancestor N's name; without N, any ancestor", arg=ArgKind.INDEX),
    f("proc.aexe", S, _anc("exe"), arg=ArgKind.INDEX),
    f("proc.aexepath", S, _anc("exepath"), arg=ArgKind.INDEX),
    f("proc.apid", N, _anc("pid"), arg=ArgKind.INDEX),
    f("proc.env", S, _env, arg=ArgKind.KEY),
    f("proc.duration", N, lambda e, _: _duration(e.process, e.ts_ns)),
    f("proc.ppid.duration", N, lambda e, _: _duration(e.process.parent, e.ts_ns)),
    f("proc.is_exe_upper_layer", B, lambda e, _: e.process.exe_upper_layer),
    f("proc.is_exe_from_memfd", B, lambda e, _: e.process.exe_from_memfd),
    f("proc.exe_ino", N, lambda e, _: e.process.exe_ino),
    f("proc.exe_ino.ctime", N, lambda e, _: e.process.exe_ctime_ns),
    f("proc.exe_ino.mtime", N, lambda e, _: e.process.exe_mtime_ns),
    f("proc.exe_ino.ctime_duration_proc_start", N,
      lambda e, _: None if e.process.exe_ctime_ns is None or e.process.start_ns is None
      else e.process.start_ns - e.process.exe_ctime_ns),
    f("thread.tid", N, lambda e, _: e.tid or e.process.tid),
    f("thread.cap_effective", S, _cap("cap_effective")),
    f("thread.cap_permitted", S, _cap("cap_permitted")),
    # user.*, group.*
    f("user.uid", N, lambda e, _: e.process.uid),
    f("user.name", S, lambda e, _: user_of(e.process, e.process.uid)),
    f("user.loginuid", N, lambda e, _: e.process.loginuid),
    f("user.loginname", S, lambda e, _: user_of(e.process, e.process.loginuid)),
    f("group.gid", N, lambda e, _: e.process.gid),
    f("group.name", S, lambda e, _: group_of(e.process, e.process.gid)),
    # fd.*
    f("fd.num", N, _fd_num),
    f("fd.type", S, _fd("type")),
    f("fd.typechar", S, lambda e, _: _TYPECHAR.get(e.fd.type or "") if e.fd else None),
    f("fd.name", S, _fd("name")),
    f("fd.nameraw", S, lambda e, _: e.args.get("name_raw", e.fd.name) if e.fd else None),
    f("fd.directory", S, lambda e, _: _fd_name_part(e, "directory")),
    f("fd.filename", S, lambda e, _: _fd_name_part(e, "filename")),
    f("fd.name_changed", B, lambda e, _: False if e.fd else None),
    f("fd.l4proto", S, _fd("l4proto")),
    f("fd.sockfamily", S, _fd("family")),
    f("fd.connected", B, lambda e, _: None if e.fd is None or e.fd.server is None else e.res >= 0 or e.res == -errno.EINPROGRESS),
    f("fd.is_server", B, lambda e, _: e.fd.local_is_server if e.fd and e.fd.server else None),
    f("fd.ip", IP, _ip(""), multi=True),
    f("fd.cip", IP, _ip("c")),
    f("fd.sip", IP, _ip("s")),
    f("fd.lip", IP, _ip("l")),
    f("fd.rip", IP, _ip("r")),
    f("fd.port", N, _ip("", port=True), multi=True),
    f("fd.cport", N, _ip("c", port=True)),
    f("fd.sport", N, _ip("s", port=True)),
    f("fd.lport", N, _ip("l", port=True)),
    f("fd.rport", N, _ip("r", port=True)),
    f("fd.net", NET, _ip(""), multi=True),
    f("fd.cnet", NET, _ip("c")),
    f("fd.snet", NET, _ip("s")),
    f("fd.lnet", NET, _ip("l")),
    f("fd.rnet", NET, _ip("r")),
    f("fd.cip.name", S, _ip_name, "peer DNS names are not tracked: always unknown"),
    f("fd.sip.name", S, _ip_name, "peer DNS names are not tracked: always unknown"),
    f("fd.lip.name", S, _ip_name, "peer DNS names are not tracked: always unknown"),
    f("fd.rip.name", S, _ip_name, "peer DNS names are not tracked: always unknown"),
    # container.*, k8s.*
    f("container.id", S, lambda e, _: _short(e.process.container.id)),
    f("container.full_id", S, lambda e, _: e.process.container.id),
    f("container.name", S, lambda e, _: e.process.container.name or (HOST if e.process.container.id == HOST else None)),
    f("container.image", S, lambda e, _: e.process.container.image),
    f("container.image.id", S, lambda e, _: e.process.container.image_id),
    f("container.image.repository", S, lambda e, _: e.process.container.image_repository),
    f("container.image.tag", S, lambda e, _: e.process.container.image_tag),
    f("container.type", S, lambda e, _: e.process.container.runtime),
    f("container.privileged", B, lambda e, _: e.process.container.privileged),
    f("container.start_ts", N, lambda e, _: e.process.container.start_ts),
    f("container.mounts", S, lambda e, _: ",".join(f"{s}:{d}:{'rw' if rw else 'ro'}" for s, d, rw in e.process.container.mounts)),
    f("container.mount.dest", S, _mount_dest, arg=ArgKind.KEY, arg_required=True),
    f("k8s.ns.name", S, _label("io.kubernetes.pod.namespace")),
    f("k8s.pod.name", S, _label("io.kubernetes.pod.name")),
    f("k8s.pod.uid", S, _label("io.kubernetes.pod.uid")),
)


def _short(container_id: str) -> str:
    return container_id if container_id == HOST else container_id[:12]


SYSCALL_FIELDS: FieldTable[SyscallEvent] = FieldTable(source="syscall", specs=_SPECS)
