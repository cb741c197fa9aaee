"""Kernel records and addresses decoded; the tracing set chosen from the rules."""

from __future__ import annotations

import socket
import struct

import pytest

from hullguard.events.syntax import parse
from hullguard.runtime.bpf.source import _EVENT, decode
from hullguard.runtime.flags import capabilities, open_flags
from hullguard.runtime.metadata import _start_ts
from hullguard.runtime.record import RecordKind
from hullguard.runtime.sockaddr import parse_sockaddr
from hullguard.runtime.syscalls import BY_NAME, X86_64, needed, requires_success


def record_bytes(kind: int, nr: int, ret: int, str0: bytes = b"", str1: bytes = b"", argv_len: int = 0) -> bytes:
    return _EVENT.pack(5_000, 1 << 21, 1 << 21, ret, 1, 2, 3, 4, 5, argv_len, kind, nr, 100, 101, 1, 0, 0,
                       0xFFFFFFFF, 0, 0, b"bash\0", b"libpod-abc\0", str0, str1)


def test_decode_exec_with_argv_and_trimmed_open() -> None:
    argv = b"ls\0-l\0/tmp\0"
    r = decode(record_bytes(1, 59, 0, b"/usr/bin/ls", argv + b"junk", argv_len=len(argv)), offset=10)
    assert (r.kind, r.syscall, r.ts_ns, r.pid, r.tid, r.comm, r.cgroup) == (
        RecordKind.SYSCALL, "execve", 5_010, 100, 101, "bash", "libpod-abc")
    assert r.str0 == "/usr/bin/ls" and r.str1 == argv and r.loginuid is None
    full = record_bytes(1, 257, 3, b"/etc/shadow")
    head = _EVENT.size - 512 - 256
    trimmed = full[: head + len("/etc/shadow") + 1]  # the kernel program sends the path's own length
    assert decode(trimmed, 0).str0 == "/etc/shadow" and decode(trimmed, 0).ret == 3
    fork = decode(record_bytes(2, -1, 0)[:_EVENT.size - 768], 0)
    assert fork.kind is RecordKind.FORK and fork.syscall is None


def test_sockaddr() -> None:
    v4 = struct.pack("<H", socket.AF_INET) + struct.pack(">H", 443) + socket.inet_aton("10.1.2.3") + bytes(8)
    family, addr, _ = parse_sockaddr(v4)
    assert family == "ipv4" and addr is not None and (str(addr[0]), addr[1]) == ("10.1.2.3", 443)
    v6 = struct.pack("<H", socket.AF_INET6) + struct.pack(">H", 53) + bytes(4) + socket.inet_pton(socket.AF_INET6, "::1")
    assert str(parse_sockaddr(v6)[1][0]) == "::1"  # type: ignore[index]
    unix = struct.pack("<H", socket.AF_UNIX) + b"/run/docker.sock\0"
    assert parse_sockaddr(unix) == ("unix", None, "/run/docker.sock")
    assert parse_sockaddr(b"") == ("", None, None)


def test_flags_and_caps() -> None:
    import os

    assert open_flags(os.O_WRONLY | os.O_CREAT | os.O_TRUNC) == "O_WRONLY|O_CREAT|O_TRUNC"
    assert capabilities((1 << 21) | 1) == ("CAP_CHOWN", "CAP_SYS_ADMIN")


@pytest.mark.parametrize(
    ("text", "ns"),
    [("2026-12-06 11:48:44.816661907 +0000 UTC", 1796557724816661907),
     ("2026-12-06T11:48:44.5Z", 1796557724500000000), ("", None), ("garbage", None)],
)
def test_container_start_times(text: str, ns: int | None) -> None:
    assert _start_ts(text) == ns


def test_syscalls_to_trace_follow_the_rules() -> None:
    opens = (frozenset({"openat"}), parse("evt.type = openat and fd.num >= 0 and fd.name = /etc/shadow"))
    failed_too = (frozenset({"unlinkat"}), parse("evt.type = unlinkat and fd.name = x"))
    chosen, success_only = needed([opens, failed_too])
    names = {s.name for s in chosen}
    assert {"openat", "unlinkat", "execve", "connect", "dup2"} <= names and "ptrace" not in names
    assert success_only == {"openat", "execve", "execveat"}
    assert needed([(None, parse("proc.name = x"))])[0] == X86_64
    assert requires_success(parse("(evt.rawres >= 0 and a.b = 1) or (fd.num >= 0)"))
    assert not requires_success(parse("fd.num >= 0 or a.b = 1"))


def test_layout_bits_match_the_kernel_program() -> None:
    assert BY_NAME["openat"].layout == 1 << 1
    assert BY_NAME["symlinkat"].layout == (1 << 0) | (1 << (2 + 8))
    assert BY_NAME["connect"].layout == 1 << (1 + 16)
