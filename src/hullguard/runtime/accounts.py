"""User and group names as the process sees them: the container's own /etc/passwd and
/etc/group (read once per container through /proc/PID/root), the host's for host processes
and for containers whose files could not be read in time."""

from __future__ import annotations

import grp
import pwd
from functools import lru_cache

from hullguard.runtime.event import HOST, Process

MAX_BYTES = 1 << 20
PROC = "/proc"
_tables: dict[tuple[str, str], dict[int, str]] = {}


def user_of(process: Process, uid: int | None) -> str | None:
    return None if uid is None else _name(process, uid, "passwd")


def group_of(process: Process, gid: int | None) -> str | None:
    return None if gid is None else _name(process, gid, "group")


def prime(container_id: str, pid: int) -> None:
    """Read a container's tables while one of its processes is alive to show them: rules may
    be evaluated later (metadata pending), when a short-lived process is long gone."""
    if container_id == HOST:
        return
    for table in ("passwd", "group"):
        if (container_id, table) not in _tables:
            names = _read(f"{PROC}/{pid}/root/etc/{table}")
            if names is not None:
                _tables[(container_id, table)] = names


def _name(process: Process, number: int, table: str) -> str | None:
    cid = process.container.id
    if cid == HOST:
        return _host_user(number) if table == "passwd" else _host_group(number)
    if process.host_root is False:
        prime(cid, process.pid)
    names = _tables.get((cid, table))
    if names is None:
        # Not read in time (the container's processes were gone when the monitor got to
        # them): the host's names, right for the ids images and hosts share (root, daemon, _apt…).
        return _host_user(number) if table == "passwd" else _host_group(number)
    return names.get(number)


def _read(path: str) -> dict[int, str] | None:
    try:
        with open(path, "rb") as f:
            text = f.read(MAX_BYTES).decode("utf-8", "replace")
    except OSError:
        return None  # the process is gone: try again with the next one of this container
    names: dict[int, str] = {}
    for line in text.splitlines():
        parts = line.split(":")
        if len(parts) >= 3 and parts[2].isdigit():
            names.setdefault(int(parts[2]), parts[0])
    return names


@lru_cache(maxsize=4096)
def _host_user(uid: int) -> str | None:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


@lru_cache(maxsize=4096)
def _host_group(gid: int) -> str | None:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return None
