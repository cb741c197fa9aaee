"""What an event source hands over: one kernel record, before process and container are attached."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RecordKind(StrEnum):
    SYSCALL = "syscall"
    FORK = "fork"
    EXIT = "exit"


# Not frozen, only for speed: a frozen dataclass's __init__ costs 13 µs for these 20 fields
# (object.__setattr__ per field), a plain one 2 µs, on a path taken thousands of times a second.
# Nothing mutates a Record after it is built.
@dataclass(slots=True, kw_only=True)
class Record:
    kind: RecordKind
    ts_ns: int
    """Wall clock, nanoseconds since the epoch."""
    pid: int
    tid: int
    syscall: str | None = None
    ret: int = 0
    args: tuple[int, ...] = ()
    str0: str | None = None
    str1: bytes | None = None
    """The second string, a sockaddr, or (after a successful exec) the new argv, NUL-separated."""
    ppid: int | None = None
    uid: int | None = None
    gid: int | None = None
    loginuid: int | None = None
    tty: int | None = None
    cap_effective: int | None = None
    cap_permitted: int | None = None
    comm: str | None = None
    cgroup: str | None = None
    """The leaf name of the process's cgroup (v2 hierarchy), where the source knows it."""
    child: int | None = None
    credentials: bool = True
    """uid, gid, loginuid and capabilities are the source's (else unknown: keep what is known)."""
