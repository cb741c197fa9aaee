"""Controls that need more than a setting, a file mode or an audit watch."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from hullguard.host.catalogue import Control
from hullguard.host.checks import Context, NotChecked, Outcome, finding


def separate_partition(control: Control, ctx: Context) -> Iterator[Outcome]:
    """/var/lib/docker (or --data-root) is a mount point: in mountinfo, else in /etc/fstab."""
    docker = ctx.discovery.settings("docker")
    if docker is None:
        return
    setting = docker.get("--data-root", "data-root")
    root = setting.values[-1].rstrip("/") if setting else "/var/lib/docker"
    tree = ctx.discovery.tree
    for path, field in (("/proc/self/mountinfo", 4), ("/etc/fstab", 1)):
        text = tree.read_text(path)
        if text is None:
            continue
        points = {
            f[field].replace("\\040", " ")
            for f in (line.split() for line in text.splitlines() if not line.lstrip().startswith("#"))
            if len(f) > field
        }
        if root not in points:
            yield finding(control, f"{root} is not a separate mount (checked {path})", path)
        return


def docker_group(control: Control, ctx: Context) -> Iterator[Outcome]:
    members = [m for m in ctx.accounts.members.get("docker", ()) if m != "root"]
    if members and ctx.discovery.settings("docker") is not None:
        yield finding(
            control,
            f"the docker group has members {', '.join(members)}: each can become root on this host; "
            "confirm every one is trusted",
            "/etc/group",
        )


def docker_tls(control: Control, ctx: Context) -> Iterator[Outcome]:
    docker = ctx.discovery.settings("docker")
    if docker is None:
        return
    hosts = docker.get("--host", "hosts")
    tcp = [h for h in (hosts.values if hosts else ()) if h.startswith("tcp://")]
    if not tcp:
        return
    verify = docker.get("--tlsverify", "tlsverify")
    missing = [
        name
        for name, setting in (
            ("tlsverify", verify if verify and verify.value == "true" else None),
            ("tlscacert", docker.get("--tlscacert", "tlscacert")),
            ("tlscert", docker.get("--tlscert", "tlscert")),
            ("tlskey", docker.get("--tlskey", "tlskey")),
        )
        if setting is None
    ]
    if missing:
        source = hosts.source if hosts else docker.where
        yield finding(
            control,
            f"dockerd listens on {', '.join(tcp)} without {', '.join(missing)}: anyone who reaches "
            "the port controls the daemon",
            source,
        )


def audit_policy(control: Control, ctx: Context) -> Iterator[Outcome]:
    """The API server names an audit policy file that exists and holds at least one rule."""
    from hullguard.host.settings import load_config

    apiserver = ctx.discovery.settings("kube-apiserver")
    if apiserver is None:
        return
    setting = apiserver.get("--audit-policy-file", None)
    if setting is None:
        yield finding(
            control, "kube-apiserver: --audit-policy-file is not set: nothing is audited", apiserver.where
        )
        return
    path = setting.value
    policy, error = load_config(ctx.discovery.tree, path, "yaml")
    if error:
        yield NotChecked(path, f"{control.id} not checked: {error}")
    elif policy is None:
        yield finding(control, f"kube-apiserver: the audit policy {path} does not exist", setting.source)
    elif policy.get("kind") != "Policy" or not policy.get("rules"):
        yield finding(control, f"{path} is not an audit Policy with rules: nothing is audited", path)


def audit_policy_coverage(control: Control, ctx: Context) -> Iterator[Outcome]:
    """CIS 3.2.2: the policy logs secrets, exec and RBAC changes, and never a secret's contents."""
    from hullguard.host.auditpolicy import problems
    from hullguard.host.settings import load_config

    apiserver = ctx.discovery.settings("kube-apiserver")
    setting = apiserver.get("--audit-policy-file", None) if apiserver else None
    if setting is None:
        return  # 3.2.1 reports it
    policy, _ = load_config(ctx.discovery.tree, setting.value, "yaml")
    if policy and policy.get("kind") == "Policy":
        for problem in problems(policy):
            yield finding(control, f"{setting.value}: {problem}", setting.value)


CUSTOM: dict[str, Callable[[Control, Context], Iterator[Outcome]]] = {
    "separate-partition": separate_partition,
    "docker-group": docker_group,
    "docker-tls": docker_tls,
    "audit-policy": audit_policy,
    "audit-policy-coverage": audit_policy_coverage,
}


def _kernel_checks() -> dict[str, Callable[[Control, Context], Iterator[Outcome]]]:
    from hullguard.host import kernel

    def user_namespaces(control: Control, ctx: Context) -> Iterator[Outcome]:
        tree = ctx.discovery.tree
        clone = kernel.read_sysctl(tree, "kernel.unprivileged_userns_clone")
        limit = kernel.read_sysctl(tree, "user.max_user_namespaces")
        if clone is not None and clone.value == "0":
            return
        if limit is None:
            yield NotChecked(None, f"{control.id} not checked: user.max_user_namespaces is not readable here")
        elif limit.value != "0":
            yield finding(
                control,
                f"user.max_user_namespaces is {limit.value} ({limit.source}): any user can create user namespaces",
                limit.source,
            )

    def ip_forward(control: Control, ctx: Context) -> Iterator[Outcome]:
        forward = kernel.read_sysctl(ctx.discovery.tree, "net.ipv4.ip_forward")
        runtimes = [c for c in ("docker", "kubelet") if ctx.discovery.settings(c) is not None]
        if (
            forward is not None
            and forward.value == "1"
            and not runtimes
            and not ctx.discovery.tree.exists("/etc/containers")
        ):
            yield finding(
                control,
                f"net.ipv4.ip_forward is 1 ({forward.source}) and no container runtime is configured",
                forward.source,
            )

    def cgroup_version(control: Control, ctx: Context) -> Iterator[Outcome]:
        version = kernel.cgroup_version(ctx.discovery.tree)
        if version in ("v1", "hybrid"):
            yield finding(
                control,
                f"cgroups are {version}: the memory, CPU and PIDs controllers are on v1 hierarchies",
                "/sys/fs/cgroup",
            )

    def seccomp(control: Control, ctx: Context) -> Iterator[Outcome]:
        if kernel.seccomp_available(ctx.discovery.tree) is False:
            yield finding(
                control,
                "the kernel reports no seccomp support (no Seccomp: line in /proc/self/status)",
                "/proc/self/status",
            )

    def lsm(control: Control, ctx: Context) -> Iterator[Outcome]:
        read = kernel.active_lsms(ctx.discovery.tree)
        if read is None:
            return
        active, source = read
        if not {"apparmor", "selinux"} & set(active):
            shown = ", ".join(active) or "none"
            yield finding(
                control,
                f"active LSMs: {shown} ({source}); neither AppArmor nor SELinux confines containers",
                source.split(",")[0],
            )

    return {
        "user-namespaces": user_namespaces,
        "ip-forward": ip_forward,
        "cgroup-version": cgroup_version,
        "seccomp": seccomp,
        "lsm": lsm,
    }


CUSTOM.update(_kernel_checks())
