"""`scan_containers(docker_host)`: CIS Docker section 5 and enforced cgroup limits, per running container."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hullguard.host.catalogue import Benchmark, Control, controls
from hullguard.host.containers.api import ApiError, DockerApi, default_host
from hullguard.host.containers.cgroups import CgroupError, compare, read_limits
from hullguard.host.containers.checks import CHECKS
from hullguard.host.containers.cri import cri_containers
from hullguard.host.containers.model import Container, Exec, parse_container, parse_exec
from hullguard.host.tree import HostReadError, HostTree
from hullguard.model import Issue, Location, Misconfiguration

STAGE = "containers"
CRI_SOCKETS = ("/run/containerd/containerd.sock", "/run/crio/crio.sock", "/var/run/cri-dockerd.sock")


def _container_controls() -> list[tuple[Control, str]]:
    return [
        (c, spec["container"])
        for b in (Benchmark.CIS_DOCKER, Benchmark.HOST)
        for c in controls(b)
        for spec in c.checks
        if "container" in spec
    ]


def scan_containers(
    docker_host: str | None, tree: HostTree | None = None
) -> tuple[list[Misconfiguration], list[Issue]]:
    """`tree` is where cgroups are read (the live host by default; limits are verified only
    for a local daemon, whose container PIDs are ours to see)."""
    host = docker_host or default_host()
    tree = tree or HostTree(Path("/"))
    findings, issues, checked = _cri(tree)
    if host is None:
        if checked or any(tree.exists(cri) for cri in CRI_SOCKETS):
            return findings, issues
        message = "no Docker or Podman socket found (set DOCKER_HOST): containers not checked"
        return [], [*issues, Issue(stage=STAGE, message=message)]
    try:
        with DockerApi(host) as api:
            info = api.get("/info")
            if isinstance(info, dict) and (info.get("Swarm") or {}).get("LocalNodeState") == "active":
                swarm = next(c for c in controls(Benchmark.CIS_DOCKER) if c.cis == "5.1")
                findings.append(_finding(swarm, "swarm mode is active on this daemon", None, host))
            for container_id in api.running():
                try:
                    container = parse_container(api.inspect(container_id))
                except ApiError as e:
                    issues.append(
                        Issue(
                            stage=STAGE, path=host, message=f"container {container_id[:12]} not checked: {e}"
                        )
                    )
                    continue
                processes = _processes(api, container, tree)
                container = replace(container, execs=_execs(api, container, host, issues))
                findings.extend(_check(container, processes, tree, host, issues))
    except ApiError as e:
        return findings, [*issues, Issue(stage=STAGE, path=host, message=f"containers not checked: {e}")]
    return findings, issues


def _cri(tree: HostTree) -> tuple[list[Misconfiguration], list[Issue], int]:
    """Containers a CRI runtime (containerd, CRI-O) runs, from its state files (cri.py)."""
    sockets = [cri for cri in CRI_SOCKETS if tree.exists(cri)]
    containers, issues = cri_containers(tree)
    if sockets and not containers and not issues:
        issues.append(
            Issue(stage=STAGE, path=sockets[0], message="a CRI socket is here, but no running task's state was found")
        )
    findings: list[Misconfiguration] = []
    for c in containers:
        where = f"unix://{sockets[0]}" if sockets else "unix://cri"
        findings.extend(_check(c, _cmdline(tree, c.pid), tree, where, issues))
    return findings, issues, len(containers)


def _cmdline(tree: HostTree, pid: int) -> tuple[str, ...]:
    if pid <= 0:
        return ()
    try:
        raw = tree.read_bytes(f"/proc/{pid}/cmdline", limit=1 << 16)
    except HostReadError:
        return ()
    return (raw.replace(b"\0", b" ").decode("utf-8", "replace").strip(),) if raw else ()


def _execs(api: DockerApi, c: Container, host: str, issues: list[Issue]) -> tuple[Exec, ...]:
    out = []
    for exec_id in c.exec_ids[:200]:
        try:
            out.append(parse_exec(api.exec_inspect(exec_id)))
        except ApiError as e:
            issues.append(
                Issue(stage=STAGE, path=host, message=f"exec {exec_id[:12]} of {c.ref.name} not checked: {e}")
            )
    return tuple(out)


def _processes(api: DockerApi, c: Container, tree: HostTree) -> tuple[str, ...]:
    """`top` runs ps in the container on some engines (Podman) and fails in images without it;
    then the main process's command line from /proc stands in."""
    try:
        return tuple(row[-1] for row in api.top(c.ref.id) if row)
    except ApiError:
        pass
    return _cmdline(tree, c.pid)


def _host_namespaces(tree: HostTree, pid: int) -> frozenset[str]:
    if pid <= 0:
        return frozenset()
    shared = set()
    # not "user": without userns-remap every container shares it (CIS 2.9); 5.31 is about --userns=host
    for ns in ("net", "pid", "ipc", "uts"):
        # PID 1's namespaces are the host's; where they are hidden from us (a sandboxed init),
        # ours stand in: this scanner runs in the host's namespaces to see the containers at all.
        host = tree.readlink(f"/proc/1/ns/{ns}") or tree.readlink(f"/proc/self/ns/{ns}")
        mine = tree.readlink(f"/proc/{pid}/ns/{ns}")
        if mine is not None and mine == host:
            shared.add(ns)
    return frozenset(shared)


def _check(
    container: Container, processes: tuple[str, ...], tree: HostTree, host: str, issues: list[Issue]
) -> list[Misconfiguration]:
    container = replace(container, processes=processes, host_namespaces=_host_namespaces(tree, container.pid))
    out: list[Misconfiguration] = []
    for control, name in _container_controls():
        if name == "cgroup-limits":
            out.extend(_limits(control, container, tree, host, issues))
            continue
        out.extend(_finding(control, message, container, host) for message in CHECKS[name](container))
    return out


def _limits(
    control: Control, c: Container, tree: HostTree, host: str, issues: list[Issue]
) -> list[Misconfiguration]:
    asked = c.memory > 0 or c.nano_cpus > 0 or c.cpu_quota > 0 or c.pids_limit is not None
    if not asked:
        return []
    if not host.startswith("unix://") or c.pid <= 0:
        issues.append(
            Issue(
                stage=STAGE,
                path=host,
                message=f"{control.id}: limits of {c.ref.name} not verified: its process is not on this host",
            )
        )
        return []
    try:
        limits = read_limits(tree, c.pid)
    except CgroupError as e:
        issues.append(
            Issue(stage=STAGE, path=host, message=f"{control.id}: limits of {c.ref.name} not verified: {e}")
        )
        return []
    problems = compare(
        limits,
        memory=c.memory,
        nano_cpus=c.nano_cpus,
        cpu_quota=c.cpu_quota,
        cpu_period=c.cpu_period,
        pids=c.pids_limit,
    )
    return [
        _finding(
            control, f"{p} (cgroup v{limits.version}: {', '.join(limits.files) or 'no limit files'})", c, host
        )
        for p in problems
    ]


def _finding(control: Control, message: str, c: Container | None, host: str) -> Misconfiguration:
    what = f"container {c.ref.name} ({c.ref.id[:12]}, image {c.ref.image}) " if c else ""
    return Misconfiguration(
        id=control.id,
        severity=control.severity,
        title=control.title,
        message=f"{what}{message}",
        location=Location(path=None if c else host, container=c.ref if c else None),
        remediation=control.remediation,
    )
