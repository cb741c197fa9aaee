"""x86_64 system calls the monitor traces: number, name, and which arguments are user strings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Syscall:
    nr: int
    name: str
    str0: int | None = None
    """Index of the argument read as the first string (a path)."""
    str1: int | None = None
    """Index of the argument read as the second string."""
    sockaddr: int | None = None
    """Index of a `struct sockaddr *` argument read at entry."""

    @property
    def layout(self) -> int:
        """The bits the kernel program reads (see `layout` in monitor.bpf.c)."""
        bits = 0
        for value, shift in ((self.str0, 0), (self.str1, 8), (self.sockaddr, 16)):
            if value is not None:
                bits |= 1 << (value + shift)
        return bits


X86_64: tuple[Syscall, ...] = (
    Syscall(2, "open", str0=0),
    Syscall(257, "openat", str0=1),
    Syscall(437, "openat2", str0=1),
    Syscall(85, "creat", str0=0),
    Syscall(59, "execve", str0=0),
    Syscall(322, "execveat", str0=1),
    Syscall(42, "connect", sockaddr=1),
    Syscall(49, "bind", sockaddr=1),
    Syscall(43, "accept"),
    Syscall(288, "accept4"),
    Syscall(41, "socket"),
    Syscall(88, "symlink", str0=0, str1=1),
    Syscall(266, "symlinkat", str0=0, str1=2),
    Syscall(86, "link", str0=0, str1=1),
    Syscall(265, "linkat", str0=1, str1=3),
    Syscall(87, "unlink", str0=0),
    Syscall(263, "unlinkat", str0=1),
    Syscall(82, "rename", str0=0, str1=1),
    Syscall(264, "renameat", str0=1, str1=3),
    Syscall(316, "renameat2", str0=1, str1=3),
    Syscall(101, "ptrace"),
    Syscall(32, "dup"),
    Syscall(33, "dup2"),
    Syscall(292, "dup3"),
    Syscall(319, "memfd_create", str0=0),
    Syscall(105, "setuid"),
    Syscall(106, "setgid"),
    Syscall(113, "setreuid"),
    Syscall(114, "setregid"),
    Syscall(117, "setresuid"),
    Syscall(119, "setresgid"),
    Syscall(83, "mkdir", str0=0),
    Syscall(258, "mkdirat", str0=1),
    Syscall(90, "chmod", str0=0),
    Syscall(268, "fchmodat", str0=1),
    Syscall(165, "mount", str0=0, str1=1),
    Syscall(272, "unshare"),
    Syscall(308, "setns"),
    Syscall(313, "finit_module"),
    Syscall(175, "init_module"),
    Syscall(321, "bpf"),
    Syscall(323, "userfaultfd"),
)

BY_NR = {s.nr: s for s in X86_64}
BY_NAME = {s.name: s for s in X86_64}
EXEC = frozenset({"execve", "execveat"})
OPEN = frozenset({"open", "openat", "openat2", "creat"})
NETWORK = frozenset({"connect", "accept", "accept4", "bind"})

# For seccomp profiles: every x86_64 syscall name by number (from the kernel's syscall_64.tbl).
NAMES_X86_64_FILE = "syscalls-x86_64.txt"

TRACKING = frozenset({"execve", "execveat", "socket", "connect", "accept", "accept4", "bind", "dup", "dup2", "dup3"})
"""Always traced: they keep the process table and the descriptor table right."""


def needed(event_types: list[frozenset[str] | None]) -> tuple[Syscall, ...]:
    """The syscalls worth tracing for rules matching these event types (None: any type)."""
    if any(t is None for t in event_types):
        return X86_64
    wanted = TRACKING.union(*(t for t in event_types if t is not None))
    return tuple(s for s in X86_64 if s.name in wanted)
