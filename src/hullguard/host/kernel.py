"""Kernel settings and facilities: sysctls (running values, else the configured ones), cgroups, LSMs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hullguard.host.tree import HostReadError, HostTree

SYSCTL_DIRS = ("/usr/lib/sysctl.d", "/lib/sysctl.d", "/run/sysctl.d", "/etc/sysctl.d")


@dataclass(frozen=True, slots=True)
class Sysctl:
    value: str
    source: str


def read_sysctl(tree: HostTree, key: str) -> Sysctl | None:
    """The running value from /proc/sys; on an offline tree, the last one configured in sysctl.d."""
    path = "/proc/sys/" + key.replace(".", "/")
    try:
        text = tree.read_text(path, limit=4096)
    except HostReadError:
        text = None
    if text is not None:
        return Sysctl(text.strip(), path)
    found: Sysctl | None = None
    for file in _config_files(tree):
        try:
            content = tree.read_text(file) or ""
        except HostReadError:
            continue
        for line in content.splitlines():
            name, eq, value = line.strip().lstrip("-").partition("=")
            if eq and not line.lstrip().startswith(("#", ";")) and name.strip().replace("/", ".") == key:
                found = Sysctl(value.strip(), file)
    return found


def _config_files(tree: HostTree) -> Iterator[str]:
    """systemd-sysctl order: files sorted by name across the directories, /etc winning a name;
    /etc/sysctl.conf last."""
    by_name: dict[str, str] = {}
    for directory in SYSCTL_DIRS:
        for path in tree.listdir(directory):
            if path.endswith(".conf"):
                by_name[path.rsplit("/", 1)[-1]] = path
    yield from (by_name[n] for n in sorted(by_name))
    yield "/etc/sysctl.conf"


def cgroup_version(tree: HostTree) -> str | None:
    """`v2`, `hybrid` or `v1`; None when /sys/fs/cgroup is not in the tree."""
    if tree.exists("/sys/fs/cgroup/cgroup.controllers"):
        return "v2"
    if tree.exists("/sys/fs/cgroup/unified/cgroup.controllers") or tree.exists("/sys/fs/cgroup/unified"):
        return "hybrid"
    if tree.exists("/sys/fs/cgroup/memory") or tree.exists("/sys/fs/cgroup/cpu"):
        return "v1"
    return None


def active_lsms(tree: HostTree) -> tuple[tuple[str, ...], str] | None:
    """(active LSMs, where that was read): securityfs, else the modules' own switches under
    /sys (securityfs is not always mounted); None if neither is in the tree."""
    try:
        text = tree.read_text("/sys/kernel/security/lsm", limit=4096)
    except HostReadError:
        text = None
    if text is not None:
        return tuple(x for x in text.strip().split(",") if x), "/sys/kernel/security/lsm"
    found = []
    try:
        apparmor = tree.read_text("/sys/module/apparmor/parameters/enabled", limit=16)
    except HostReadError:
        apparmor = None
    if apparmor is not None and apparmor.strip() == "Y":
        found.append("apparmor")
    if tree.exists("/sys/fs/selinux/enforce"):
        found.append("selinux")
    if found or tree.exists("/sys/module"):
        return tuple(found), "/sys/module/apparmor, /sys/fs/selinux"
    return None


def seccomp_available(tree: HostTree) -> bool | None:
    try:
        status = tree.read_text("/proc/self/status", limit=1 << 16)
    except HostReadError:
        status = None
    if status is not None:
        return any(line.startswith("Seccomp:") for line in status.splitlines())
    if tree.exists("/proc/sys/kernel/seccomp/actions_avail"):
        return True
    return None
