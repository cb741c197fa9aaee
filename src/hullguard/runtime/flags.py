"""Kernel constants rendered as Falco renders them: open flags, capabilities, socket families."""

from __future__ import annotations

import os
import socket

OPEN_READ = (1 << os.O_RDONLY) | (1 << os.O_RDWR)
"""Access modes that read, as a set of bits indexed by `flags & O_ACCMODE`."""
OPEN_WRITE = (1 << os.O_WRONLY) | (1 << os.O_RDWR)

_OPEN_FLAGS = tuple(
    (name, getattr(os, name))
    for name in ("O_CREAT", "O_EXCL", "O_NOCTTY", "O_TRUNC", "O_APPEND", "O_NONBLOCK", "O_DSYNC", "O_DIRECT",
                 "O_LARGEFILE", "O_DIRECTORY", "O_NOFOLLOW", "O_NOATIME", "O_CLOEXEC", "O_PATH", "O_TMPFILE")
    if hasattr(os, name)
)

CAPABILITIES = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
    "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
)

PTRACE_REQUESTS = {0: "PTRACE_TRACEME", 1: "PTRACE_PEEKTEXT", 2: "PTRACE_PEEKDATA", 4: "PTRACE_POKETEXT",
                   5: "PTRACE_POKEDATA", 7: "PTRACE_CONT", 8: "PTRACE_KILL", 9: "PTRACE_SINGLESTEP",
                   13: "PTRACE_SETREGS", 16: "PTRACE_ATTACH", 17: "PTRACE_DETACH", 0x4206: "PTRACE_SEIZE"}

SOCKET_FAMILIES: dict[int, str] = {socket.AF_UNIX: "AF_UNIX", socket.AF_INET: "AF_INET", socket.AF_INET6: "AF_INET6",
                   socket.AF_NETLINK: "AF_NETLINK", socket.AF_PACKET: "AF_PACKET"}


def open_flags(flags: int) -> str:
    """`O_WRONLY|O_CREAT|O_TRUNC`: the access mode, then each flag set."""
    access = {os.O_RDONLY: "O_RDONLY", os.O_WRONLY: "O_WRONLY", os.O_RDWR: "O_RDWR"}.get(flags & 3, "O_RDONLY")
    return "|".join((access, *(name for name, bit in _OPEN_FLAGS if flags & bit == bit and bit)))


def capabilities(mask: int) -> tuple[str, ...]:
    return tuple(name for bit, name in enumerate(CAPABILITIES) if mask & (1 << bit))
