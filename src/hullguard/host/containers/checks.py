"""CIS Docker section 5 over one running container: each check yields what is wrong, in words."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from hullguard.host.containers.model import Container

SENSITIVE = ("/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr")
SOCKETS = ("docker.sock", "podman.sock", "containerd.sock", "crio.sock")


def apparmor(c: Container) -> Iterator[str]:
    if c.apparmor_profile == "unconfined" or "unconfined" in c.opt("apparmor"):
        yield "runs with AppArmor unconfined"


def selinux(c: Container) -> Iterator[str]:
    if "disable" in c.opt("label"):
        yield "runs with SELinux labelling disabled (label=disable)"


def capabilities(c: Container) -> Iterator[str]:
    added = [cap for cap in c.cap_add if cap.upper() not in ("", "NONE")]
    if added:
        yield f"adds capabilities {', '.join(sorted(added))}"


def privileged(c: Container) -> Iterator[str]:
    if c.privileged:
        yield "runs privileged"


def sensitive_mounts(c: Container) -> Iterator[str]:
    for m in c.mounts:
        src = m.source.rstrip("/") or "/"
        if src in SENSITIVE:
            yield f"mounts host {src} at {m.destination} ({'read-write' if m.rw else 'read-only'})"


def sshd(c: Container) -> Iterator[str]:
    if any(p.split()[0].rsplit("/", 1)[-1] == "sshd" for p in c.processes if p.split()):
        yield "runs sshd"


def privileged_ports(c: Container) -> Iterator[str]:
    for p in c.ports:
        if 0 < p.host_port < 1024:
            yield f"maps container port {p.container_port} to privileged host port {p.host_port}"


def host_interface(c: Container) -> Iterator[str]:
    for p in c.ports:
        if p.host_ip in ("", "0.0.0.0", "::"):  # noqa: S104 - detecting it, not binding
            yield f"publishes {p.container_port} on every host interface (host port {p.host_port})"


def _shares(c: Container, mode: str, ns: str, what: str) -> Iterator[str]:
    if mode == "host":
        yield f"shares the host's {what} namespace"
    elif ns in c.host_namespaces:
        yield f"shares the host's {what} namespace (/proc/{c.pid}/ns/{ns} is the host's; the API says {mode or 'nothing'})"


def host_network(c: Container) -> Iterator[str]:
    return _shares(c, c.network_mode, "net", "network")


def host_pid(c: Container) -> Iterator[str]:
    return _shares(c, c.pid_mode, "pid", "PID")


def host_ipc(c: Container) -> Iterator[str]:
    return _shares(c, c.ipc_mode, "ipc", "IPC")


def host_uts(c: Container) -> Iterator[str]:
    return _shares(c, c.uts_mode, "uts", "UTS")


def host_userns(c: Container) -> Iterator[str]:
    return _shares(c, c.userns_mode, "", "user")


def memory_limit(c: Container) -> Iterator[str]:
    if c.memory <= 0:
        yield "has no memory limit"


def cpu_limit(c: Container) -> Iterator[str]:
    if c.nano_cpus <= 0 and c.cpu_quota <= 0 and c.cpu_shares in (0, 1024):
        yield "has no CPU limit or CPU shares"


def read_only_rootfs(c: Container) -> Iterator[str]:
    if not c.readonly_rootfs:
        yield "has a writable root filesystem"


def restart_policy(c: Container) -> Iterator[str]:
    if c.restart_policy in ("always", "unless-stopped"):
        yield f"restart policy is {c.restart_policy}: a crash loop never stops"
    elif c.restart_policy == "on-failure" and not 0 < c.restart_retries <= 5:
        yield f"restart policy on-failure allows {c.restart_retries or 'unlimited'} retries (expected at most 5)"


def devices(c: Container) -> Iterator[str]:
    if c.devices:
        yield f"has host devices {', '.join(c.devices)}"


def shared_propagation(c: Container) -> Iterator[str]:
    for m in c.mounts:
        if m.propagation in ("shared", "rshared"):
            yield f"mounts {m.source} with {m.propagation} propagation"


def seccomp(c: Container) -> Iterator[str]:
    if "unconfined" in c.opt("seccomp"):
        yield "runs with seccomp unconfined"


def cgroup_parent(c: Container) -> Iterator[str]:
    if c.cgroup_parent:
        yield f"runs under cgroup parent {c.cgroup_parent}"


def no_new_privileges(c: Container) -> Iterator[str]:
    if not any(v in ("", "true") for v in c.opt("no-new-privileges")):
        yield "may gain privileges through setuid binaries (no-new-privileges is not set)"


def healthcheck(c: Container) -> Iterator[str]:
    if not c.healthcheck:
        yield "has no health check"


def pids_limit(c: Container) -> Iterator[str]:
    if c.pids_limit is None:
        yield "has no PIDs limit"


def docker_socket(c: Container) -> Iterator[str]:
    for m in c.mounts:
        if m.source.rsplit("/", 1)[-1] in SOCKETS:
            yield f"mounts the container engine socket {m.source} at {m.destination}"


def privileged_exec(c: Container) -> Iterator[str]:
    for e in c.execs:
        if e.privileged:
            yield f"had a privileged exec: {e.command or '?'} (exec {e.id[:12]})"


def root_exec(c: Container) -> Iterator[str]:
    for e in c.execs:
        if e.user.split(":")[0] in ("root", "0"):
            yield f"had an exec as {e.user}: {e.command or '?'} (exec {e.id[:12]})"


CHECKS: dict[str, Callable[[Container], Iterator[str]]] = {
    "apparmor": apparmor,
    "selinux": selinux,
    "capabilities": capabilities,
    "privileged": privileged,
    "sensitive-mounts": sensitive_mounts,
    "sshd": sshd,
    "privileged-ports": privileged_ports,
    "host-interface": host_interface,
    "host-network": host_network,
    "host-pid": host_pid,
    "host-ipc": host_ipc,
    "host-uts": host_uts,
    "host-userns": host_userns,
    "memory-limit": memory_limit,
    "cpu-limit": cpu_limit,
    "read-only-rootfs": read_only_rootfs,
    "restart-policy": restart_policy,
    "devices": devices,
    "shared-propagation": shared_propagation,
    "seccomp": seccomp,
    "cgroup-parent": cgroup_parent,
    "no-new-privileges": no_new_privileges,
    "healthcheck": healthcheck,
    "pids-limit": pids_limit,
    "docker-socket": docker_socket,
    "privileged-exec": privileged_exec,
    "root-exec": root_exec,
}
