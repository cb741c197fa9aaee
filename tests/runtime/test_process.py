"""The process table from /proc, and forks carrying what the parent knew."""

from __future__ import annotations

import os

from hullguard.runtime.process import ProcessTable


def test_live_process_from_proc() -> None:
    table = ProcessTable()
    me = table.get(os.getpid())
    assert me is not None
    assert me.ppid == os.getppid() and me.cwd == os.getcwd() and me.uid == os.getuid()
    assert me.parent is not None and me.parent.pid == os.getppid()
    assert me.start_ns is not None and me.sid == os.getsid(0) and me.pgid == os.getpgid(0)
    assert me.exepath is not None and os.path.isabs(me.exepath)


def test_fork_then_exit() -> None:
    table = ProcessTable()
    table.fork(os.getpid(), 4_194_304 + 12_345, ts_ns=123)
    child = table._by_pid[4_194_304 + 12_345]
    assert (child.ppid, child.name, child.start_ns) == (os.getpid(), table.get(os.getpid()).name, 123)  # type: ignore[union-attr]
    assert child.parent is not None and child.parent.pid == os.getpid()
    table.exit(4_194_304 + 12_345)
    assert table.get(4_194_304 + 12_345) is None  # gone, and no such pid in /proc either
