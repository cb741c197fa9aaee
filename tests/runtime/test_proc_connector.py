"""Proc connector messages (the kernel's netlink layout) parsed into records."""

from __future__ import annotations

import os
import struct

from hullguard.runtime.proc_connector import (
    _CN_MSG,
    _EVENT_HEAD,
    _NLMSG,
    PROC_EVENT_EXEC,
    PROC_EVENT_EXIT,
    PROC_EVENT_FORK,
    ProcConnectorSource,
    _message,
)
from hullguard.runtime.record import Record, RecordKind


def netlink(what: int, payload: bytes) -> bytes:
    body = _EVENT_HEAD.pack(what, 0, 1_000) + payload
    cn = _CN_MSG.pack(1, 1, 0, 0, len(body), 0) + body
    return _NLMSG.pack(_NLMSG.size + len(cn), 3, 0, 0, 0) + cn


def test_fork_exit_and_exec_of_a_live_process() -> None:
    got: list[Record] = []
    source = ProcConnectorSource(got.append)
    me = os.getpid()
    source._self = -1  # this test's own process stands in for the one that exec'd
    data = (netlink(PROC_EVENT_FORK, struct.pack("=IIII", 10, 10, 11, 11))
            + netlink(PROC_EVENT_FORK, struct.pack("=IIII", 10, 10, 12, 11))  # a thread: ignored
            + netlink(PROC_EVENT_EXEC, struct.pack("=II", me, me))
            + netlink(PROC_EVENT_EXIT, struct.pack("=IIIIII", 11, 11, 0, 17, 10, 10)))
    source._parse(data)
    fork, exec_, exit_ = got
    assert (fork.kind, fork.pid, fork.child) == (RecordKind.FORK, 10, 11)
    assert (exec_.kind, exec_.syscall, exec_.pid, exec_.ret) == (RecordKind.SYSCALL, "execve", me, 0)
    assert exec_.str0 == os.readlink("/proc/self/exe") and exec_.uid == os.getuid()
    assert exec_.str1 is not None and exec_.str1.split(b"\0")[0]
    assert (exit_.kind, exit_.pid) == (RecordKind.EXIT, 11)
    assert exec_.ts_ns > fork.ts_ns - 10**9 * 3600


def test_exec_of_a_process_already_gone_is_skipped() -> None:
    got: list[Record] = []
    source = ProcConnectorSource(got.append)
    source._parse(netlink(PROC_EVENT_EXEC, struct.pack("=II", 2**22 + 12345, 2**22 + 12345)))
    assert got == []


def test_listen_message_layout() -> None:
    msg = _message(1)
    length, kind = struct.unpack_from("=IH", msg)
    assert length == len(msg) == _NLMSG.size + _CN_MSG.size + 4 and kind == 3
    assert struct.unpack_from("=II", msg, _NLMSG.size) == (1, 1)  # CN_IDX_PROC, CN_VAL_PROC
