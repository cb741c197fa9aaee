"""The syscall event model: one completed system call with its process, file descriptor and container."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

HOST = "host"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True, kw_only=True)
class Container:
    """The container a process runs in; `id` is the full id, or `host`."""

    id: str = HOST
    name: str | None = None
    image: str | None = None
    image_id: str | None = None
    runtime: str | None = None
    privileged: bool | None = None
    start_ts: int | None = None
    mounts: tuple[tuple[str, str, bool], ...] = ()
    """(source, destination, read-write) per mount."""
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def image_repository(self) -> str | None:
        if self.image is None:
            return None
        repo, _, tag = self.image.rpartition(":")
        return repo if repo and "/" not in tag else self.image.split("@")[0]

    @property
    def image_tag(self) -> str | None:
        if self.image is None or "@" in self.image:
            return None
        repo, _, tag = self.image.rpartition(":")
        return tag if repo and "/" not in tag else None


HOST_CONTAINER = Container()


@dataclass(frozen=True, slots=True, kw_only=True)
class Process:
    """What is known about a process when its event is read. Unknown values are None."""

    pid: int
    tid: int
    ppid: int | None = None
    vpid: int | None = None
    name: str = ""
    exe: str | None = None
    """argv[0], as Falco's proc.exe."""
    exepath: str | None = None
    """The resolved path of the executable."""
    args: tuple[str, ...] = ()
    cwd: str | None = None
    uid: int | None = None
    gid: int | None = None
    loginuid: int | None = None
    tty: int | None = None
    sid: int | None = None
    pgid: int | None = None
    start_ns: int | None = None
    cap_effective: int | None = None
    cap_permitted: int | None = None
    env: tuple[str, ...] | None = None
    exe_upper_layer: bool | None = None
    host_root: bool | None = None
    """The process's root is the host's: a runtime still setting the container up (runc init)."""
    exe_from_memfd: bool | None = None
    exe_ino: int | None = None
    exe_size: int | None = None
    exe_ctime_ns: int | None = None
    exe_mtime_ns: int | None = None
    container: Container = HOST_CONTAINER
    parent: Process | None = None
    session_leader: Process | None = None
    group_leader: Process | None = None

    @property
    def cmdline(self) -> str:
        return " ".join((self.name, *self.args)).rstrip()

    def ancestors(self) -> tuple[Process, ...]:
        out: list[Process] = []
        p = self.parent
        while p is not None and len(out) < 64:
            out.append(p)
            p = p.parent
        return tuple(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class Fd:
    """The file descriptor an event is about: a file, or a socket's two ends."""

    num: int | None = None
    type: str | None = None
    """file, directory, ipv4, ipv6, unix, memfd, …"""
    name: str | None = None
    client: tuple[IPAddress, int] | None = None
    server: tuple[IPAddress, int] | None = None
    local_is_server: bool = False
    l4proto: str | None = None
    family: str | None = None


@dataclass(slots=True, kw_only=True)
class SyscallEvent:
    """Not frozen only for speed (built for every traced call; see Record); never mutated."""

    num: int
    ts_ns: int
    """Wall clock, nanoseconds since the epoch."""
    type: str
    res: int
    process: Process
    tid: int | None = None
    args: Mapping[str, str] = field(default_factory=dict)
    """Falco-style rendered arguments by name (`flags` as `O_RDONLY|O_CLOEXEC`)."""
    fd: Fd | None = None
    open_flags: int | None = None
