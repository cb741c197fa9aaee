"""Hand-written syscall events for field and alert tests."""

from __future__ import annotations

import ipaddress
from typing import Any

from hullguard.runtime.event import Container, Fd, Process, SyscallEvent

PODMAN_ID = "3ac3ea3298b88f2dc2d1a4a291370a5a93d0850111828a3401e2e6aa4cfc890d"
CONTAINER = Container(id=PODMAN_ID, name="web", image="docker.io/library/nginx:1.25", runtime="podman",
                      image_id="b3f63adb24d9", privileged=False, start_ts=1_700_000_000_000_000_000,
                      mounts=(("/var/run/docker.sock", "/var/run/docker.sock", True),),
                      labels={"io.kubernetes.pod.namespace": "shop", "io.kubernetes.pod.name": "web-0"})


def make_process(**overrides: Any) -> Process:
    init = Process(pid=1, tid=1, name="runc:[2:INIT]")
    shell = Process(pid=40, tid=40, ppid=1, name="bash", exe="/bin/bash", exepath="/usr/bin/bash", args=("-i",),
                    parent=init, uid=0, gid=0, tty=34816)
    values: dict[str, Any] = {
        "pid": 42, "tid": 43, "ppid": 40, "vpid": 7, "name": "cat", "exe": "cat", "exepath": "/usr/bin/cat",
        "args": ("/etc/shadow",), "cwd": "/root", "uid": 0, "gid": 0, "loginuid": None, "tty": 34816,
        "sid": 40, "pgid": 42, "start_ns": 1_700_000_001_000_000_000, "cap_effective": (1 << 21) | 1,
        "cap_permitted": (1 << 21) | 1, "container": CONTAINER, "parent": shell, "session_leader": shell,
        "env": ("PATH=/usr/bin", "HOME=/root"), "host_root": False,
    }
    values.update(overrides)
    return Process(**values)


def make_event(**overrides: Any) -> SyscallEvent:
    values: dict[str, Any] = {
        "num": 1, "ts_ns": 1_700_000_002_000_000_000, "type": "openat", "res": 3, "process": make_process(),
        "args": {"fd": "3", "name": "/etc/shadow", "flags": "O_RDONLY|O_CLOEXEC"},
        "fd": Fd(num=3, type="file", name="/etc/shadow"), "open_flags": 0o2000000,
    }
    values.update(overrides)
    return SyscallEvent(**values)


def connect_event(ip: str, port: int, res: int = 0) -> SyscallEvent:
    addr = (ipaddress.ip_address(ip), port)
    return make_event(type="connect", res=res, open_flags=None, args={"fd": "3"},
                      fd=Fd(num=3, type="ipv4", name=f"->{ip}:{port}", server=addr, l4proto="tcp"))
