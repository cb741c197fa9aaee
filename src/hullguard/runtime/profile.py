"""Learned profiles: the syscalls a container made (counted in the kernel, by cgroup) as a
seccomp profile, and the connections it made and accepted as a Kubernetes NetworkPolicy."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hullguard.runtime.event import SyscallEvent

UNISTD = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
ALWAYS = ("execve", "exit", "exit_group", "rt_sigreturn")
"""Needed after runc installs the filter (the exec of the entrypoint) and to end at all."""


def syscall_names(header: Path = UNISTD) -> dict[int, str]:
    """x86_64 syscall numbers to names, from the kernel's uapi header (linux-libc-dev)."""
    names: dict[int, str] = {}
    for m in re.finditer(r"^#define __NR_(\w+)\s+(\d+)", header.read_text(), re.M):
        names[int(m.group(2))] = m.group(1)
    return names


def seccomp_profile(counts: Mapping[int, int], names: Mapping[int, str]) -> dict[str, Any]:
    used = sorted({names.get(nr, f"__unknown_{nr}") for nr in counts} | set(ALWAYS))
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 1,
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [{"names": [n for n in used if not n.startswith("__unknown")], "action": "SCMP_ACT_ALLOW"}],
    }


@dataclass(slots=True)
class Connections:
    """What one container did on the network while observed."""

    egress: set[tuple[str, int, str]] = field(default_factory=set)
    """(peer ip, port, protocol) it connected to."""
    ingress: set[tuple[str, str]] = field(default_factory=set)
    """(peer ip, protocol) it accepted from."""
    listening: set[tuple[int, str]] = field(default_factory=set)
    """(port, protocol) it bound."""

    def add(self, event: SyscallEvent) -> None:
        fd = event.fd
        # A refused or pending connect still shows where the workload needs to reach.
        if fd is None or (event.res < 0 and event.type != "connect"):
            return
        proto = (fd.l4proto or "tcp").upper()
        if event.type == "connect" and fd.server is not None:
            self.egress.add((str(fd.server[0]), fd.server[1], proto))
        elif event.type in ("accept", "accept4") and fd.client is not None:
            self.ingress.add((str(fd.client[0]), proto))
        elif event.type == "bind" and fd.server is not None and fd.server[1]:
            self.listening.add((fd.server[1], proto))


def network_policy(name: str, labels: Mapping[str, str], seen: Connections, namespace: str | None = None) -> dict[str, Any]:
    """A NetworkPolicy allowing exactly what was seen (and nothing else, both ways)."""
    egress = [
        {"to": [{"ipBlock": {"cidr": _cidr(ip)}}], "ports": [{"protocol": proto, "port": port}]}
        for ip, port, proto in sorted(seen.egress)
    ]
    ingress_from = [{"ipBlock": {"cidr": _cidr(ip)}} for ip in sorted({ip for ip, _ in seen.ingress})]
    ports = [{"protocol": proto, "port": port} for port, proto in sorted(seen.listening)]
    ingress = [{"from": ingress_from, **({"ports": ports} if ports else {})}] if ingress_from else []
    metadata: dict[str, Any] = {"name": f"{name}-learned"}
    if namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata,
        "spec": {
            "podSelector": {"matchLabels": dict(labels) or {"app": name}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": ingress,
            "egress": egress,
        },
    }


def _cidr(ip: str) -> str:
    return f"{ip}/{32 if ipaddress.ip_address(ip).version == 4 else 128}"


def pod_labels(labels: Mapping[str, str], fallback: str) -> dict[str, str]:
    """The pod's own labels when the container carries Kubernetes ones, else `app: <name>`."""
    wanted = {k: v for k, v in labels.items() if not k.startswith(("io.kubernetes.", "io.podman.", "org."))}
    return wanted or {"app": fallback}


def cgroup_id(paths: Iterable[Path]) -> int | None:
    """The v2 cgroup id (its directory's inode), as bpf_get_current_cgroup_id() returns it."""
    for path in paths:
        try:
            return path.stat().st_ino
        except OSError:
            continue
    return None
