"""Host hardening beyond CIS (kernel settings, cgroups, LSMs), and cgroup v2 limits, over host trees.

This machine runs cgroup v1 (hybrid), so v2 is read from a tree laid out as the kernel lays out
/sys/fs/cgroup on a v2 host; the v1 path is exercised on real containers in test_containers.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.host.containers.cgroups import compare, read_limits
from hullguard.host.scan import HostOptions, scan_host
from hullguard.host.tree import HostTree
from tests.host.trees import base, good_docker_host

pytestmark = pytest.mark.usefixtures("as_root")


def hardening(root: Path) -> dict[str, str]:
    result = scan_host(HostOptions(root=root, benchmark="host-hardening"))
    return {f.id: f.message for f in result.findings}


def test_running_kernel_values_from_proc_sys(tmp_path: Path) -> None:
    tree = base(tmp_path)
    for key, value in {
        "kernel/unprivileged_bpf_disabled": "0",
        "kernel/kptr_restrict": "0",
        "kernel/dmesg_restrict": "1",
        "user/max_user_namespaces": "63417",
        "net/ipv4/ip_forward": "1",
    }.items():
        tree.file(f"/proc/sys/{key}", value + "\n")
    tree.dir("/sys/fs/cgroup/memory")
    tree.file("/sys/kernel/security/lsm", "lockdown,capability,landlock,yama\n")
    tree.file("/proc/self/status", "Name:\tcat\nSeccomp:\t0\nSeccomp_filters:\t0\n")
    found = hardening(tmp_path)
    assert found == {
        "HG-HOST-001": "kernel.unprivileged_bpf_disabled is 0 (/proc/sys/kernel/unprivileged_bpf_disabled); expected one of 1,2",
        "HG-HOST-002": "user.max_user_namespaces is 63417 (/proc/sys/user/max_user_namespaces): any user can create user namespaces",
        "HG-HOST-003": "kernel.kptr_restrict is 0 (/proc/sys/kernel/kptr_restrict); expected one of 1,2",
        "HG-HOST-004": "net.ipv4.ip_forward is 1 (/proc/sys/net/ipv4/ip_forward) and no container runtime is configured",
        "HG-HOST-005": "cgroups are v1: the memory, CPU and PIDs controllers are on v1 hierarchies",
        "HG-HOST-007": "active LSMs: lockdown, capability, landlock, yama (/sys/kernel/security/lsm); "
        "neither AppArmor nor SELinux confines containers",
    }


def test_offline_tree_uses_configured_sysctls_and_a_hardened_host_passes(tmp_path: Path) -> None:
    tree = good_docker_host(tmp_path)  # a container runtime: ip_forward=1 is expected
    tree.file("/usr/lib/sysctl.d/50-default.conf", "kernel.kptr_restrict = 0\nnet.ipv4.ip_forward = 0\n")
    tree.file(
        "/etc/sysctl.d/90-hardening.conf",
        "kernel.kptr_restrict = 1\nkernel.unprivileged_bpf_disabled=2\nkernel/dmesg_restrict = 1\n"
        "user.max_user_namespaces = 0\nnet.ipv4.ip_forward = 1\n",
    )
    tree.file("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
    tree.file("/sys/kernel/security/lsm", "lockdown,capability,landlock,yama,apparmor\n")
    result = scan_host(HostOptions(root=tmp_path, benchmark="host-hardening"))
    assert [f.id for f in result.findings] == []
    assert result.issues == ()


def test_missing_kernel_settings_are_issues(tmp_path: Path) -> None:
    base(tmp_path)
    result = scan_host(HostOptions(root=tmp_path, benchmark="host-hardening"))
    assert result.findings == ()
    assert {i.message for i in result.issues} >= {
        "HG-HOST-001 not checked: kernel.unprivileged_bpf_disabled is neither in /proc/sys nor in sysctl.d",
        "HG-HOST-002 not checked: user.max_user_namespaces is not readable here",
    }


def test_cgroup_v2_limits(tmp_path: Path) -> None:
    tree = base(tmp_path)
    scope = "/system.slice/docker-4f1c2e.scope"
    tree.file("/proc/4242/cgroup", f"0::{scope}\n")
    tree.file(f"/sys/fs/cgroup{scope}/memory.max", "67108864\n")
    tree.file(f"/sys/fs/cgroup{scope}/cpu.max", "max 100000\n")
    tree.file(f"/sys/fs/cgroup{scope}/pids.max", "100\n")
    limits = read_limits(HostTree(tmp_path), 4242)
    assert (limits.version, limits.memory, limits.cpus, limits.pids) == (2, 64 << 20, None, 100)
    assert compare(limits, memory=64 << 20, nano_cpus=1_500_000_000, cpu_quota=0, cpu_period=0, pids=50) == [
        "asked for 1.5 CPUs, the cgroup enforces no limit",
        "asked for a PIDs limit of 50, the cgroup enforces 100",
    ]
    assert compare(limits, memory=64 << 20, nano_cpus=0, cpu_quota=0, cpu_period=0, pids=100) == []
