"""x86_64 system calls the monitor traces: number, name, and which arguments are user strings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hullguard.events.syntax import And, Check, Node, Op, Or


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


def needed(conditions: Iterable[tuple[frozenset[str] | None, Node]]) -> tuple[tuple[Syscall, ...], frozenset[str]]:
    """The syscalls worth tracing for these rule conditions (event types, expanded condition),
    and those of them only worth tracing when they succeed (every rule for it requires success)."""
    conditions = list(conditions)
    if any(types is None for types, _ in conditions):
        wanted = frozenset(s.name for s in X86_64)
    else:
        wanted = TRACKING.union(*(types for types, _ in conditions if types is not None))
    success_only = {"execve", "execveat"}  # a failed exec changes no process: never evaluated
    for name in wanted - success_only:
        matching = [node for types, node in conditions if types is None or name in types]
        if matching and name not in TRACKING and all(requires_success(n) for n in matching):
            success_only.add(name)
    return tuple(s for s in X86_64 if s.name in wanted), frozenset(success_only)


_SUCCESS = {("fd.num", Op.GE, "0"), ("evt.rawres", Op.GE, "0"), ("evt.res", Op.EQ, "SUCCESS"),
            ("evt.failed", Op.EQ, "false")}


def requires_success(node: Node) -> bool:
    """Can the condition hold only for a call that returned >= 0? (Sound, not complete.)"""
    match node:
        case And(operands):
            return any(requires_success(o) for o in operands)
        case Or(operands):
            return all(requires_success(o) for o in operands)
        case Check(field, op, values) if len(values) == 1 and field.arg is None:
            return (field.name, op, str(values[0])) in _SUCCESS
    return False
