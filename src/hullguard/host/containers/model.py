"""A running container as the CIS checks see it, parsed once from `GET /containers/ID/json`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hullguard.model import ContainerRef


@dataclass(frozen=True, slots=True, kw_only=True)
class Mount:
    source: str
    destination: str
    rw: bool
    propagation: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PortBinding:
    container_port: str
    host_ip: str
    host_port: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Exec:
    id: str
    privileged: bool
    user: str
    command: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Container:
    ref: ContainerRef
    pid: int
    privileged: bool
    cap_add: tuple[str, ...]
    mounts: tuple[Mount, ...]
    ports: tuple[PortBinding, ...]
    network_mode: str
    pid_mode: str
    ipc_mode: str
    uts_mode: str
    userns_mode: str
    security_opt: tuple[str, ...]
    apparmor_profile: str
    memory: int
    nano_cpus: int
    cpu_shares: int
    cpu_quota: int
    cpu_period: int
    pids_limit: int | None
    readonly_rootfs: bool
    restart_policy: str
    restart_retries: int
    healthcheck: bool
    cgroup_parent: str
    devices: tuple[str, ...]
    processes: tuple[str, ...] = ()
    """Command lines from `top`, filled in by the scanner."""
    exec_ids: tuple[str, ...] = ()
    execs: tuple[Exec, ...] = ()
    """Exec sessions the engine still remembers, filled in by the scanner."""
    host_namespaces: frozenset[str] = frozenset()
    """Namespaces (`net`, `pid`, `ipc`, `uts`) the kernel says the container's process
    shares with PID 1, filled in by the scanner: the API's modes are not always true (Podman's
    compatible API reports IpcMode `shareable` for `--ipc host`)."""

    def opt(self, name: str) -> list[str]:
        """Values of `--security-opt NAME=V` / `NAME:V` (both spellings occur)."""
        out = []
        for item in self.security_opt:
            key, sep, value = item.replace(":", "=", 1).partition("=")
            if key == name:
                out.append(value if sep else "true")
        return out


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def parse_container(doc: dict[str, Any]) -> Container:
    hc: dict[str, Any] = doc.get("HostConfig") or {}
    config: dict[str, Any] = doc.get("Config") or {}
    state: dict[str, Any] = doc.get("State") or {}
    ports: list[PortBinding] = []
    for port, bindings in ((doc.get("NetworkSettings") or {}).get("Ports") or {}).items():
        for b in bindings or ():
            if isinstance(b, dict) and str(b.get("HostPort", "")).isdigit():
                ports.append(
                    PortBinding(
                        container_port=port, host_ip=str(b.get("HostIp") or ""), host_port=int(b["HostPort"])
                    )
                )
    restart = hc.get("RestartPolicy") or {}
    pids = hc.get("PidsLimit")
    return Container(
        ref=ContainerRef(
            id=str(doc.get("Id", "")),
            name=str(doc.get("Name", "")).lstrip("/") or None,
            image=config.get("Image"),
        ),
        pid=_int(state.get("Pid")),
        privileged=bool(hc.get("Privileged")),
        cap_add=tuple(str(c) for c in hc.get("CapAdd") or ()),
        mounts=tuple(
            Mount(
                source=str(m.get("Source", "")),
                destination=str(m.get("Destination", "")),
                rw=bool(m.get("RW", True)),
                propagation=str(m.get("Propagation") or ""),
            )
            for m in doc.get("Mounts") or ()
            if isinstance(m, dict) and m.get("Type", "bind") == "bind"
        ),
        ports=tuple(ports),
        network_mode=str(hc.get("NetworkMode") or ""),
        pid_mode=str(hc.get("PidMode") or ""),
        ipc_mode=str(hc.get("IpcMode") or ""),
        uts_mode=str(hc.get("UTSMode") or ""),
        userns_mode=str(hc.get("UsernsMode") or ""),
        security_opt=tuple(str(s) for s in hc.get("SecurityOpt") or ()),
        apparmor_profile=str(doc.get("AppArmorProfile") or ""),
        memory=_int(hc.get("Memory")),
        nano_cpus=_int(hc.get("NanoCpus")),
        cpu_shares=_int(hc.get("CpuShares")),
        cpu_quota=_int(hc.get("CpuQuota")),
        cpu_period=_int(hc.get("CpuPeriod")),
        pids_limit=pids if isinstance(pids, int) and pids > 0 else None,
        readonly_rootfs=bool(hc.get("ReadonlyRootfs")),
        restart_policy=str(restart.get("Name") or "no"),
        restart_retries=_int(restart.get("MaximumRetryCount")),
        healthcheck=_has_healthcheck(config, state),
        cgroup_parent=str(hc.get("CgroupParent") or ""),
        devices=tuple(str(d.get("PathOnHost", "")) for d in hc.get("Devices") or () if isinstance(d, dict)),
        exec_ids=tuple(str(e) for e in doc.get("ExecIDs") or ()),
    )


def parse_exec(doc: dict[str, Any]) -> Exec:
    process = doc.get("ProcessConfig") or {}
    command = [str(process.get("entrypoint", ""))] + [str(a) for a in process.get("arguments") or ()]
    return Exec(
        id=str(doc.get("ID", "")),
        privileged=bool(process.get("privileged") or doc.get("Privileged")),
        user=str(process.get("user") or ""),
        command=" ".join(c for c in command if c),
    )


def _has_healthcheck(config: dict[str, Any], state: dict[str, Any]) -> bool:
    test = (config.get("Healthcheck") or {}).get("Test") or []
    # Podman reports State.Health {"Status": ""} for containers without a health check
    return (bool(test) and test[0] != "NONE") or bool((state.get("Health") or {}).get("Status"))
