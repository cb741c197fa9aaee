"""What the kernel enforces on a container: its cgroup's memory, CPU and PIDs limits (v1 and v2).

`/proc/PID/cgroup` names the container's cgroup; the limits are read from the cgroup file
system under the same root. v2 has one line `0::/path` and files `memory.max`, `cpu.max`,
`pids.max`; v1 has a line per hierarchy (`4:memory:/path`) and `memory.limit_in_bytes`,
`cpu.cfs_quota_us` / `cpu.cfs_period_us`, `pids.max`. A hybrid host has both: the v1
controller lines win, since that is where those controllers are attached.
"""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.host.tree import HostReadError, HostTree

UNLIMITED_V1 = 1 << 62  # memory.limit_in_bytes of an unlimited cgroup is PAGE_COUNTER_MAX pages


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    version: int
    memory: int | None
    """Bytes; None when unlimited."""
    cpus: float | None
    """quota / period; None when unlimited."""
    pids: int | None
    files: tuple[str, ...]


class CgroupError(Exception):
    pass


def read_limits(tree: HostTree, pid: int) -> Limits:
    try:
        text = tree.read_text(f"/proc/{pid}/cgroup")
    except HostReadError as e:
        raise CgroupError(str(e)) from e
    if text is None:
        raise CgroupError(f"/proc/{pid}/cgroup does not exist (the container's process is not visible here)")
    v1: dict[str, tuple[str, str]] = {}
    unified: str | None = None
    for line in text.splitlines():
        number, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if number == "0" and controllers == "":
            unified = path
        for controller in controllers.split(","):
            v1[controller] = (controllers, path)
    if "memory" in v1 or "pids" in v1:
        return _v1(tree, v1)
    if unified is None:
        raise CgroupError(f"/proc/{pid}/cgroup names no memory cgroup")
    return _v2(tree, unified)


def _read(tree: HostTree, path: str, files: list[str]) -> str | None:
    try:
        text = tree.read_text(path, limit=4096)
    except HostReadError:
        return None
    if text is not None:
        files.append(path)
    return None if text is None else text.strip()


def _v1(tree: HostTree, v1: dict[str, tuple[str, str]]) -> Limits:
    files: list[str] = []

    def read(controller: str, name: str) -> str | None:
        if controller not in v1:
            return None
        mount, path = v1[controller]
        for directory in (mount, controller):
            value = _read(tree, f"/sys/fs/cgroup/{directory}{path.rstrip('/')}/{name}", files)
            if value is not None:
                return value
        return None

    memory = read("memory", "memory.limit_in_bytes")
    quota, period = read("cpu", "cpu.cfs_quota_us"), read("cpu", "cpu.cfs_period_us")
    pids = read("pids", "pids.max")
    mem = int(memory) if memory and memory.isdigit() and int(memory) < UNLIMITED_V1 else None
    cpus = (
        int(quota) / int(period)
        if quota and period and quota.lstrip("-").isdigit() and int(quota) > 0 and period.isdigit()
        else None
    )
    return Limits(version=1, memory=mem, cpus=cpus, pids=_pids(pids), files=tuple(files))


def _v2(tree: HostTree, path: str) -> Limits:
    files: list[str] = []
    base = f"/sys/fs/cgroup{path.rstrip('/')}"
    memory = _read(tree, f"{base}/memory.max", files)
    cpu = _read(tree, f"{base}/cpu.max", files)
    pids = _read(tree, f"{base}/pids.max", files)
    cpus = None
    if cpu:
        quota, _, period = cpu.partition(" ")
        if quota.isdigit() and period.isdigit() and int(period):
            cpus = int(quota) / int(period)
    mem = int(memory) if memory and memory.isdigit() else None
    return Limits(version=2, memory=mem, cpus=cpus, pids=_pids(pids), files=tuple(files))


def _pids(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def compare(
    limits: Limits, *, memory: int, nano_cpus: int, cpu_quota: int, cpu_period: int, pids: int | None
) -> list[str]:
    """What the container asked for and the kernel does not enforce."""
    problems: list[str] = []
    page = 4096
    if memory > 0 and (limits.memory is None or not memory - page < limits.memory <= memory):
        problems.append(f"asked for memory {memory} bytes, the cgroup enforces {_show(limits.memory)}")
    wanted = (
        nano_cpus / 1e9 if nano_cpus > 0 else (cpu_quota / (cpu_period or 100000) if cpu_quota > 0 else None)
    )
    if wanted is not None and (limits.cpus is None or abs(limits.cpus - wanted) > 0.01 * wanted):
        problems.append(f"asked for {wanted:g} CPUs, the cgroup enforces {_show(limits.cpus)}")
    if pids is not None and limits.pids != pids:
        problems.append(f"asked for a PIDs limit of {pids}, the cgroup enforces {_show(limits.pids)}")
    return problems


def _show(value: float | None) -> str:
    if value is None:
        return "no limit"
    return str(value) if isinstance(value, int) else f"{value:g}"
