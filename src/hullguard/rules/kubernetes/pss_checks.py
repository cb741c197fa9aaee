"""The Pod Security Standards checks: one function per control and policy version, on plain pod data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from hullguard.rules.base import NodePath
from hullguard.rules.kubernetes.objects import CONTAINER_LISTS, obj, seq

Meta = dict[str, Any]
Spec = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Denial:
    reason: str
    detail: str
    nodes: tuple[NodePath, ...]
    """Offending fields, relative to the pod template (`("spec", "containers", 0, ...)`)."""

    @property
    def message(self) -> str:
        return f"{self.reason}: {self.detail}"


CheckFn = Callable[[Meta, Spec], Denial | None]


def containers(spec: Spec) -> Iterator[tuple[NodePath, dict[str, Any]]]:
    """Init, regular and ephemeral containers, in admission's order."""
    for key, _ in CONTAINER_LISTS:
        for n, c in enumerate(seq(spec.get(key))):
            if isinstance(c, dict):
                yield ("spec", key, n), c


def _sc(c: dict[str, Any]) -> dict[str, Any]:
    return obj(c.get("securityContext"))


def _names(bad: list[tuple[NodePath, dict[str, Any]]]) -> str:
    return ", ".join(f'"{c.get("name", "")}"' for _, c in bad)


def windows_pod(spec: Spec) -> bool:
    return obj(spec.get("os")).get("name") == "windows"


def user_namespace(spec: Spec) -> bool:
    return spec.get("hostUsers") is False


def unless(exempt: Callable[[Spec], bool], fn: CheckFn) -> CheckFn:
    return lambda meta, spec: None if exempt(spec) else fn(meta, spec)


def allow_privilege_escalation(meta: Meta, spec: Spec) -> Denial | None:
    bad = [(p, c) for p, c in containers(spec) if _sc(c).get("allowPrivilegeEscalation") is not False]
    if not bad:
        return None
    return Denial(
        "allowPrivilegeEscalation != false",
        f"containers {_names(bad)} must set securityContext.allowPrivilegeEscalation=false",
        tuple((*p, "securityContext", "allowPrivilegeEscalation") for p, _ in bad),
    )


APPARMOR_TYPES = frozenset({"RuntimeDefault", "Localhost"})
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def app_armor(meta: Meta, spec: Spec) -> Denial | None:
    nodes: list[NodePath] = []
    values: set[str] = set()
    pod = obj(spec.get("securityContext")).get("appArmorProfile")
    if pod is not None and obj(pod).get("type", "") not in APPARMOR_TYPES:
        nodes.append(("spec", "securityContext", "appArmorProfile"))
        values.add(str(obj(pod).get("type", "")))
    for p, c in containers(spec):
        profile = _sc(c).get("appArmorProfile")
        if profile is not None and obj(profile).get("type", "") not in APPARMOR_TYPES:
            nodes.append((*p, "securityContext", "appArmorProfile"))
            values.add(str(obj(profile).get("type", "")))
    for key, value in sorted(obj(meta.get("annotations")).items()):
        text = "" if value is None else str(value)
        if str(key).startswith(APPARMOR_ANNOTATION) and not (
            text in ("", "runtime/default") or text.startswith("localhost/")
        ):
            nodes.append(("metadata", "annotations", key))
            values.add(f"{key}={text}")
    if not nodes:
        return None
    return Denial(
        "forbidden AppArmor profile",
        f"AppArmor profile type may only be RuntimeDefault or Localhost, found {sorted(values)}",
        tuple(nodes),
    )


DEFAULT_CAPABILITIES = frozenset(
    [
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    ]
)


def capabilities_baseline(meta: Meta, spec: Spec) -> Denial | None:
    bad, added = [], set()
    for p, c in containers(spec):
        extra = [
            str(a) for a in seq(obj(_sc(c).get("capabilities")).get("add")) if a not in DEFAULT_CAPABILITIES
        ]
        if extra:
            bad.append((p, c))
            added.update(extra)
    if not bad:
        return None
    return Denial(
        "non-default capabilities",
        f"containers {_names(bad)} add {sorted(added)} beyond the default set",
        tuple((*p, "securityContext", "capabilities", "add") for p, _ in bad),
    )


def capabilities_restricted(meta: Meta, spec: Spec) -> Denial | None:
    no_drop, adding, added = [], [], set()
    for p, c in containers(spec):
        caps = _sc(c).get("capabilities")
        if caps is None or "ALL" not in seq(obj(caps).get("drop")):
            no_drop.append((p, c))
        extra = [str(a) for a in seq(obj(caps).get("add")) if a != "NET_BIND_SERVICE"]
        if extra:
            adding.append((p, c))
            added.update(extra)
    if not no_drop and not adding:
        return None
    parts = []
    if no_drop:
        parts.append(f'containers {_names(no_drop)} must drop ["ALL"] capabilities')
    if adding:
        parts.append(f"containers {_names(adding)} must not add {sorted(added)}")
    return Denial(
        "unrestricted capabilities",
        "; ".join(parts),
        tuple((*p, "securityContext", "capabilities") for p, _ in no_drop + adding),
    )


def host_namespaces(meta: Meta, spec: Spec) -> Denial | None:
    used = [k for k in ("hostNetwork", "hostPID", "hostIPC") if spec.get(k) is True]
    if not used:
        return None
    return Denial("host namespaces", ", ".join(f"{k}=true" for k in used), tuple(("spec", k) for k in used))


def host_path_volumes(meta: Meta, spec: Spec) -> Denial | None:
    bad = [(n, v) for n, v in enumerate(seq(spec.get("volumes"))) if obj(v).get("hostPath") is not None]
    if not bad:
        return None
    names = ", ".join(f'"{obj(v).get("name", "")}"' for _, v in bad)
    return Denial("hostPath volumes", f"volumes {names}", tuple(("spec", "volumes", n) for n, _ in bad))


def host_ports(meta: Meta, spec: Spec) -> Denial | None:
    nodes, ports = [], set()
    for p, c in containers(spec):
        for n, port in enumerate(seq(c.get("ports"))):
            host = obj(port).get("hostPort")
            if host not in (None, 0):
                nodes.append((*p, "ports", n, "hostPort"))
                ports.add(str(host))
    if not nodes:
        return None
    return Denial("hostPort", f"containers use hostPorts {', '.join(sorted(ports))}", tuple(nodes))


PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def host_probes_and_lifecycle(meta: Meta, spec: Spec) -> Denial | None:
    nodes, hosts = [], set()
    for p, c in containers(spec):
        handlers: list[tuple[NodePath, dict[str, Any]]] = [((k,), obj(c.get(k))) for k in PROBES]
        lifecycle = obj(c.get("lifecycle"))
        handlers += [(("lifecycle", k), obj(lifecycle.get(k))) for k in ("postStart", "preStop")]
        for where, handler in handlers:
            for action in ("httpGet", "tcpSocket"):
                host = obj(handler.get(action)).get("host")
                if host not in (None, ""):
                    nodes.append((*p, *where, action, "host"))
                    hosts.add(str(host))
    if not nodes:
        return None
    return Denial(
        "probe or lifecycle host", f"probes or lifecycle handlers use hosts {sorted(hosts)}", tuple(nodes)
    )


def privileged(meta: Meta, spec: Spec) -> Denial | None:
    bad = [(p, c) for p, c in containers(spec) if _sc(c).get("privileged") is True]
    if not bad:
        return None
    return Denial(
        "privileged",
        f"containers {_names(bad)} must not set securityContext.privileged=true",
        tuple((*p, "securityContext", "privileged") for p, _ in bad),
    )


def proc_mount(meta: Meta, spec: Spec) -> Denial | None:
    bad = [(p, c) for p, c in containers(spec) if _sc(c).get("procMount") not in (None, "Default")]
    if not bad:
        return None
    kinds = sorted({str(_sc(c).get("procMount")) for _, c in bad})
    return Denial(
        "procMount",
        f"containers {_names(bad)} must not set securityContext.procMount to {kinds}",
        tuple((*p, "securityContext", "procMount") for p, _ in bad),
    )


ALLOWED_VOLUMES = (
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret",
)  # fmt: skip


def restricted_volumes(meta: Meta, spec: Spec) -> Denial | None:
    nodes, kinds = [], set()
    for n, volume in enumerate(seq(spec.get("volumes"))):
        v = obj(volume)
        sources = [k for k, val in v.items() if k != "name" and val is not None]
        if not sources or any(k in ALLOWED_VOLUMES for k in sources):
            continue  # the API server defaults a volume without a source to emptyDir
        nodes.append(("spec", "volumes", n))
        kinds.add(sources[0])
    if not nodes:
        return None
    return Denial("restricted volume types", f"volumes use forbidden types {sorted(kinds)}", tuple(nodes))


def run_as_non_root(meta: Meta, spec: Spec) -> Denial | None:
    pod = obj(spec.get("securityContext")).get("runAsNonRoot")
    explicit = [(p, c) for p, c in containers(spec) if _sc(c).get("runAsNonRoot") not in (None, True)]
    if pod not in (None, True) or explicit:
        nodes: list[NodePath] = (
            [("spec", "securityContext", "runAsNonRoot")] if pod not in (None, True) else []
        )
        nodes += [(*p, "securityContext", "runAsNonRoot") for p, _ in explicit]
        return Denial("runAsNonRoot != true", "pod or containers set runAsNonRoot=false", tuple(nodes))
    implicit = [(p, c) for p, c in containers(spec) if _sc(c).get("runAsNonRoot") is None]
    if pod is not True and implicit:
        return Denial(
            "runAsNonRoot != true",
            f"pod or containers {_names(implicit)} must set securityContext.runAsNonRoot=true",
            tuple((*p, "securityContext") for p, _ in implicit),
        )
    return None


def run_as_user(meta: Meta, spec: Spec) -> Denial | None:
    nodes: list[NodePath] = []
    if obj(spec.get("securityContext")).get("runAsUser") == 0:
        nodes.append(("spec", "securityContext", "runAsUser"))
    nodes += [
        (*p, "securityContext", "runAsUser") for p, c in containers(spec) if _sc(c).get("runAsUser") == 0
    ]
    if not nodes:
        return None
    return Denial("runAsUser=0", "pod or containers must not set runAsUser=0", tuple(nodes))


def se_linux(allowed_types: frozenset[str]) -> CheckFn:
    def check(meta: Meta, spec: Spec) -> Denial | None:
        nodes, problems = [], set()
        owners: list[tuple[NodePath, dict[str, Any]]] = [(("spec",), obj(spec.get("securityContext")))]
        owners += [(p, _sc(c)) for p, c in containers(spec)]
        for where, sc in owners:
            options = sc.get("seLinuxOptions")
            if options is None:
                continue
            o = obj(options)
            bad = False
            if str(o.get("type") or "") not in allowed_types:
                problems.add(f"type {o.get('type')!r}")
                bad = True
            for field in ("user", "role"):
                if o.get(field):
                    problems.add(f"{field} may not be set")
                    bad = True
            if bad:
                nodes.append((*where, "securityContext", "seLinuxOptions"))
        if not nodes:
            return None
        return Denial(
            "seLinuxOptions",
            f"forbidden securityContext.seLinuxOptions: {', '.join(sorted(problems))}",
            tuple(nodes),
        )

    return check


SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
SECCOMP_TYPES = frozenset({"RuntimeDefault", "Localhost"})
SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/"


def seccomp_annotation_ok(value: Any) -> bool:
    text = "" if value is None else str(value)
    return text in ("runtime/default", "docker/default") or text.startswith("localhost/")


def seccomp_baseline_annotations(meta: Meta, spec: Spec) -> Denial | None:
    annotations = obj(meta.get("annotations"))
    keys = [SECCOMP_POD_ANNOTATION] + [
        SECCOMP_CONTAINER_ANNOTATION + str(c.get("name", "")) for _, c in containers(spec)
    ]
    bad = [k for k in keys if k in annotations and not seccomp_annotation_ok(annotations[k])]
    if not bad:
        return None
    return Denial(
        "seccompProfile",
        f"forbidden annotations {sorted(bad)}",
        tuple(("metadata", "annotations", k) for k in bad),
    )


def _seccomp_fields(spec: Spec) -> tuple[list[NodePath], bool, list[tuple[NodePath, dict[str, Any]]]]:
    """(explicitly bad fields, pod sets a good profile, containers without a profile)."""
    bad: list[NodePath] = []
    pod = obj(spec.get("securityContext")).get("seccompProfile")
    pod_ok = pod is not None and obj(pod).get("type", "") in SECCOMP_TYPES
    if pod is not None and not pod_ok:
        bad.append(("spec", "securityContext", "seccompProfile"))
    unset = []
    for p, c in containers(spec):
        profile = _sc(c).get("seccompProfile")
        if profile is None:
            unset.append((p, c))
        elif obj(profile).get("type", "") not in SECCOMP_TYPES:
            bad.append((*p, "securityContext", "seccompProfile"))
    return bad, pod_ok, unset


def seccomp_baseline(meta: Meta, spec: Spec) -> Denial | None:
    bad, _, _ = _seccomp_fields(spec)
    if not bad:
        return None
    return Denial("seccompProfile", "seccompProfile.type may only be RuntimeDefault or Localhost", tuple(bad))


def seccomp_restricted(meta: Meta, spec: Spec) -> Denial | None:
    bad, pod_ok, unset = _seccomp_fields(spec)
    if bad:
        return Denial(
            "seccompProfile", "seccompProfile.type may only be RuntimeDefault or Localhost", tuple(bad)
        )
    if unset and not pod_ok:
        return Denial(
            "seccompProfile",
            f'pod or containers {_names(unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
            tuple((*p, "securityContext") for p, _ in unset),
        )
    return None


SYSCTLS_1_0 = frozenset(
    [
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    ]
)
SYSCTLS_1_27 = SYSCTLS_1_0 | {"net.ipv4.ip_local_reserved_ports"}
SYSCTLS_1_29 = SYSCTLS_1_27 | {
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
}  # fmt: skip
SYSCTLS_1_32 = SYSCTLS_1_29 | {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
SYSCTLS_1_37 = SYSCTLS_1_32 | {"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"}


def sysctls(allowed: frozenset[str]) -> CheckFn:
    def check(meta: Meta, spec: Spec) -> Denial | None:
        items = seq(obj(spec.get("securityContext")).get("sysctls"))
        bad = [
            (n, str(obj(s).get("name", "")))
            for n, s in enumerate(items)
            if obj(s).get("name", "") not in allowed
        ]
        if not bad:
            return None
        return Denial(
            "forbidden sysctls",
            ", ".join(name for _, name in bad),
            tuple(("spec", "securityContext", "sysctls", n) for n, _ in bad),
        )

    return check


def windows_host_process(meta: Meta, spec: Spec) -> Denial | None:
    nodes: list[NodePath] = []
    if obj(obj(spec.get("securityContext")).get("windowsOptions")).get("hostProcess") is True:
        nodes.append(("spec", "securityContext", "windowsOptions", "hostProcess"))
    nodes += [
        (*p, "securityContext", "windowsOptions", "hostProcess")
        for p, c in containers(spec)
        if obj(_sc(c).get("windowsOptions")).get("hostProcess") is True
    ]
    if not nodes:
        return None
    return Denial(
        "hostProcess",
        "pod or containers must not set securityContext.windowsOptions.hostProcess=true",
        tuple(nodes),
    )
