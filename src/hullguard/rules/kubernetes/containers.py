"""Kubernetes rules about each container: filesystem, resources, images, probes, env, capabilities."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.rules.base import Violation, kubernetes_rule
from hullguard.rules.imageref import parse_ref
from hullguard.rules.kubernetes.objects import Container, KubeObject, obj, seq
from hullguard.rules.secretnames import looks_secret


def _containers(o: KubeObject, *kinds: str) -> Iterator[Container]:
    if o.workload is not None:
        yield from (c for c in o.workload.containers if c.kind in (kinds or ("init", "container")))


@kubernetes_rule("HG-K8S-001")
def writable_root_filesystem(o: KubeObject) -> Iterator[Violation]:
    for c in _containers(o):
        if c.security_context.get("readOnlyRootFilesystem") is not True:
            yield Violation(
                f'container "{c.name}" does not set readOnlyRootFilesystem: true',
                node=c.sc_node("readOnlyRootFilesystem"),
            )


def _resource(o: KubeObject, section: str, resource: str) -> Iterator[Violation]:
    for c in _containers(o):
        if obj(c.resources.get(section)).get(resource) in (None, ""):
            limit = obj(c.resources.get("limits")).get(resource)
            why = (
                f" (the scheduler copies the limit {limit} as request)"
                if section == "requests" and limit
                else ""
            )
            yield Violation(
                f'container "{c.name}" sets no {resource} {section[:-1]}{why}',
                node=(*c.node, "resources", section),
            )


@kubernetes_rule("HG-K8S-002")
def no_cpu_requests(o: KubeObject) -> Iterator[Violation]:
    yield from _resource(o, "requests", "cpu")


@kubernetes_rule("HG-K8S-003")
def no_cpu_limits(o: KubeObject) -> Iterator[Violation]:
    yield from _resource(o, "limits", "cpu")


@kubernetes_rule("HG-K8S-004")
def no_memory_requests(o: KubeObject) -> Iterator[Violation]:
    yield from _resource(o, "requests", "memory")


@kubernetes_rule("HG-K8S-005")
def no_memory_limits(o: KubeObject) -> Iterator[Violation]:
    yield from _resource(o, "limits", "memory")


@kubernetes_rule("HG-K8S-006")
def latest_tag(o: KubeObject) -> Iterator[Violation]:
    for c in _containers(o, "init", "container", "ephemeral"):
        ref = parse_ref(c.image)
        if c.image and not ref.unresolved and ref.digest is None and ref.tag in (None, "latest"):
            yield Violation(
                f'container "{c.name}" image {c.image} uses the :latest tag (or none)',
                node=(*c.node, "image"),
            )


@kubernetes_rule("HG-K8S-007")
def no_digest(o: KubeObject) -> Iterator[Violation]:
    for c in _containers(o, "init", "container", "ephemeral"):
        if c.image and parse_ref(c.image).digest is None:
            yield Violation(
                f'container "{c.name}" image {c.image} is not pinned by digest', node=(*c.node, "image")
            )


@kubernetes_rule("HG-K8S-008")
def no_liveness_probe(o: KubeObject) -> Iterator[Violation]:
    for c in _containers(o, "container"):
        if c.spec.get("livenessProbe") is None:
            yield Violation(f'container "{c.name}" has no livenessProbe', node=c.node)


@kubernetes_rule("HG-K8S-009")
def no_readiness_probe(o: KubeObject) -> Iterator[Violation]:
    for c in _containers(o, "container"):
        if c.spec.get("readinessProbe") is None:
            yield Violation(f'container "{c.name}" has no readinessProbe', node=c.node)


@kubernetes_rule("HG-K8S-010")
def secret_in_env(o: KubeObject) -> Iterator[Violation]:
    for c in _containers(o, "init", "container", "ephemeral"):
        for n, e in enumerate(seq(c.spec.get("env"))):
            e = obj(e)
            value = e.get("value")
            if isinstance(value, str | int) and looks_secret(str(e.get("name", "")), str(value)):
                yield Violation(
                    f'container "{c.name}" env {e.get("name")} holds a literal credential',
                    node=(*c.node, "env", n),
                )


@kubernetes_rule("HG-K8S-011")
def secret_ref_in_env(o: KubeObject) -> Iterator[Violation]:
    for c in _containers(o, "init", "container", "ephemeral"):
        for n, e in enumerate(seq(c.spec.get("env"))):
            if obj(obj(e).get("valueFrom")).get("secretKeyRef") is not None:
                yield Violation(
                    f'container "{c.name}" reads secret into env {obj(e).get("name")}',
                    node=(*c.node, "env", n),
                )
        for n, e in enumerate(seq(c.spec.get("envFrom"))):
            if obj(e).get("secretRef") is not None:
                yield Violation(
                    f'container "{c.name}" loads a whole Secret into its environment',
                    node=(*c.node, "envFrom", n),
                )


@kubernetes_rule("HG-K8S-012")
def net_raw_kept(o: KubeObject) -> Iterator[Violation]:
    for c in _containers(o):
        drop = [str(d).upper() for d in seq(obj(c.security_context.get("capabilities")).get("drop"))]
        if "ALL" not in drop and "NET_RAW" not in drop and "CAP_NET_RAW" not in drop:
            yield Violation(
                f'container "{c.name}" keeps NET_RAW (drop ALL or NET_RAW)', node=c.sc_node("capabilities")
            )


@kubernetes_rule("HG-K8S-013")
def sys_admin(o: KubeObject) -> Iterator[Violation]:
    for c in _containers(o, "init", "container", "ephemeral"):
        added = [str(a).upper() for a in seq(obj(c.security_context.get("capabilities")).get("add"))]
        if {"SYS_ADMIN", "CAP_SYS_ADMIN", "ALL"} & set(added):
            yield Violation(
                f'container "{c.name}" adds SYS_ADMIN (or ALL) capabilities',
                node=c.sc_node("capabilities", "add"),
            )


@kubernetes_rule("HG-K8S-014")
def low_uid(o: KubeObject) -> Iterator[Violation]:
    if o.workload is None:
        return
    pod_uid = o.workload.security_context.get("runAsUser")
    for c in _containers(o):
        uid = c.security_context.get("runAsUser", pod_uid)
        if isinstance(uid, int) and 0 < uid < 10000:
            yield Violation(
                f'container "{c.name}" runs as uid {uid}, which may collide with a host user',
                node=c.sc_node("runAsUser"),
            )


@kubernetes_rule("HG-K8S-015")
def root_group(o: KubeObject) -> Iterator[Violation]:
    if o.workload is None:
        return
    pod_sc = o.workload.security_context
    for key in ("runAsGroup", "fsGroup"):
        if pod_sc.get(key) == 0:
            yield Violation(
                f"pod sets {key}: 0 (the root group)", node=o.workload.spec_node("securityContext", key)
            )
    for c in _containers(o):
        if c.security_context.get("runAsGroup") == 0:
            yield Violation(f'container "{c.name}" sets runAsGroup: 0', node=c.sc_node("runAsGroup"))


@kubernetes_rule("HG-K8S-016")
def pull_policy(o: KubeObject) -> Iterator[Violation]:
    for c in _containers(o, "init", "container", "ephemeral"):
        ref = parse_ref(c.image)
        if not c.image or ref.digest is not None or ref.unresolved:
            continue
        policy = c.spec.get("imagePullPolicy")
        if policy is None and ref.tag not in (None, "latest"):
            policy = "IfNotPresent (the default for a tagged image)"
        if policy not in (None, "Always"):
            yield Violation(
                f'container "{c.name}" uses imagePullPolicy {policy} with a mutable tag: '
                "a node may run a stale or planted image without checking registry access",
                node=(*c.node, "imagePullPolicy"),
            )


RULES = (
    writable_root_filesystem,
    no_cpu_requests,
    no_cpu_limits,
    no_memory_requests,
    no_memory_limits,
    latest_tag,
    no_digest,
    no_liveness_probe,
    no_readiness_probe,
    secret_in_env,
    secret_ref_in_env,
    net_raw_kept,
    sys_admin,
    low_uid,
    root_group,
    pull_policy,
)
