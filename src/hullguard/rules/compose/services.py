"""Compose rules: privileges, host namespaces, sockets, capabilities, user, limits, secrets."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.rules.base import Violation, compose_rule
from hullguard.rules.compose.model import ComposeService
from hullguard.rules.kubernetes.objects import obj, seq
from hullguard.rules.secretnames import looks_secret

SOCKETS = (
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/run/podman/podman.sock",
)
ALL_INTERFACES = frozenset({"", "0.0.0.0", "::", "[::]"})  # noqa: S104 - what we look for, not a bind
SENSITIVE = ("/", "/etc", "/proc", "/sys", "/root", "/boot", "/dev", "/var/lib/docker")


@compose_rule("HG-DC-001")
def privileged(s: ComposeService) -> Iterator[Violation]:
    if s.spec.get("privileged") is True:
        yield Violation(f"service {s.name} is privileged", node=s.at("privileged"))


@compose_rule("HG-DC-002")
def host_namespaces(s: ComposeService) -> Iterator[Violation]:
    for key in ("network_mode", "pid", "ipc", "userns_mode", "uts"):
        if s.spec.get(key) == "host":
            yield Violation(
                f"service {s.name} shares the host's {key.split('_')[0]} namespace", node=s.at(key)
            )


@compose_rule("HG-DC-003")
def docker_socket(s: ComposeService) -> Iterator[Violation]:
    for n, source, _ in s.volumes():
        if source.rstrip("/") in SOCKETS:
            yield Violation(
                f"service {s.name} mounts the container runtime socket {source}: that is root on the host",
                node=s.at("volumes", n),
            )


@compose_rule("HG-DC-004")
def cap_add(s: ComposeService) -> Iterator[Violation]:
    if seq(s.spec.get("cap_add")):
        caps = ", ".join(str(c) for c in seq(s.spec.get("cap_add")))
        yield Violation(f"service {s.name} adds capabilities {caps}", node=s.at("cap_add"))


@compose_rule("HG-DC-005")
def no_user(s: ComposeService) -> Iterator[Violation]:
    user = str(s.spec.get("user") or "")
    if not user:
        yield Violation(
            f"service {s.name} sets no user: it runs as the image's user, often root", node=s.at()
        )
    elif user.split(":")[0] in ("root", "0"):
        yield Violation(f"service {s.name} runs as root", node=s.at("user"))


@compose_rule("HG-DC-006")
def no_limits(s: ComposeService) -> Iterator[Violation]:
    limits = obj(obj(obj(s.spec.get("deploy")).get("resources")).get("limits"))
    if not limits.get("memory") and not s.spec.get("mem_limit"):
        yield Violation(f"service {s.name} has no memory limit", node=s.at())
    if not limits.get("cpus") and not s.spec.get("cpus"):
        yield Violation(f"service {s.name} has no CPU limit", node=s.at())


@compose_rule("HG-DC-007")
def secret_environment(s: ComposeService) -> Iterator[Violation]:
    for node, name, value in s.environment():
        if looks_secret(name, value):
            yield Violation(f"service {s.name} sets credential {name} in plain text", node=node)


@compose_rule("HG-DC-008")
def unconfined(s: ComposeService) -> Iterator[Violation]:
    for n, opt in enumerate(seq(s.spec.get("security_opt"))):
        text = str(opt).replace("=", ":")
        if text in ("seccomp:unconfined", "apparmor:unconfined", "label:disable", "systempaths:unconfined"):
            yield Violation(f"service {s.name} turns off a confinement: {opt}", node=s.at("security_opt", n))


@compose_rule("HG-DC-009")
def sensitive_mount(s: ComposeService) -> Iterator[Violation]:
    for n, source, _ in s.volumes():
        clean = "/" + source.strip("/") if source.startswith("/") else ""
        if (
            clean
            and clean not in SOCKETS
            and any(clean == p or (p != "/" and clean.startswith(p + "/")) for p in SENSITIVE)
        ):
            yield Violation(f"service {s.name} mounts host path {source}", node=s.at("volumes", n))


@compose_rule("HG-DC-010")
def no_new_privileges(s: ComposeService) -> Iterator[Violation]:
    opts = [str(o).replace(":", "=") for o in seq(s.spec.get("security_opt"))]
    if "no-new-privileges=true" not in opts and "no-new-privileges" not in opts:
        yield Violation(f"service {s.name} does not set security_opt no-new-privileges:true", node=s.at())


@compose_rule("HG-DC-011")
def writable_root(s: ComposeService) -> Iterator[Violation]:
    if s.spec.get("read_only") is not True:
        yield Violation(
            f"service {s.name} has a writable root filesystem (read_only: true is not set)", node=s.at()
        )


@compose_rule("HG-DC-012")
def latest_image(s: ComposeService) -> Iterator[Violation]:
    image = str(s.spec.get("image") or "")
    if (
        image
        and "@" not in image
        and "$" not in image
        and (":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest"))
    ):
        yield Violation(f"service {s.name} image {image} uses the :latest tag (or none)", node=s.at("image"))


@compose_rule("HG-DC-013")
def ports_on_all_interfaces(s: ComposeService) -> Iterator[Violation]:
    for n, port in enumerate(seq(s.spec.get("ports"))):
        if isinstance(port, dict):
            published, host_ip = port.get("published"), str(port.get("host_ip") or "")
        else:
            parts = str(port).split(":")
            published = parts[-2] if len(parts) >= 2 else None
            host_ip = ":".join(parts[:-2]) if len(parts) >= 3 else ""
        if published not in (None, "") and host_ip in ALL_INTERFACES:
            yield Violation(
                f"service {s.name} publishes {port} on every host interface", node=s.at("ports", n)
            )


RULES = (
    privileged,
    host_namespaces,
    docker_socket,
    cap_add,
    no_user,
    no_limits,
    secret_environment,
    unconfined,
    sensitive_mount,
    no_new_privileges,
    writable_root,
    latest_image,
    ports_on_all_interfaces,
)
