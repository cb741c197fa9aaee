"""Kubernetes rules about the pod as a whole: token, namespace, host paths, process sharing."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.rules.base import Violation, kubernetes_rule
from hullguard.rules.kubernetes.objects import KubeObject, obj
from hullguard.rules.secretnames import looks_secret

SENSITIVE_HOST_PATHS = (
    "/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd", "/run/containerd", "/var/run/crio",
    "/proc", "/sys", "/etc", "/root", "/var/lib/kubelet", "/var/lib/docker", "/boot", "/dev", "/home", "/var/log",
)  # fmt: skip
NAMESPACED_WORKLOADS = True


@kubernetes_rule("HG-K8S-020")
def token_automount(o: KubeObject) -> Iterator[Violation]:
    if o.workload is not None and o.workload.spec.get("automountServiceAccountToken") is not False:
        yield Violation(
            "the service account token is mounted: set automountServiceAccountToken: false unless the pod calls the API",
            node=o.workload.spec_node("automountServiceAccountToken"),
        )
    if o.kind == "ServiceAccount" and o.raw.get("automountServiceAccountToken") is not False:
        yield Violation(
            f"ServiceAccount {o.name} does not disable token automount",
            node=o.at("automountServiceAccountToken"),
        )


@kubernetes_rule("HG-K8S-021")
def default_namespace(o: KubeObject) -> Iterator[Violation]:
    if o.workload is not None and o.namespace in (None, "default"):
        where = (
            "in the default namespace"
            if o.namespace == "default"
            else "without a namespace (lands in default)"
        )
        yield Violation(f"{o.kind} {o.name} is {where}", node=o.at("metadata"))


@kubernetes_rule("HG-K8S-022")
def sensitive_host_path(o: KubeObject) -> Iterator[Violation]:
    if o.workload is None:
        return
    for n, v in o.workload.volumes:
        path = str(obj(v.get("hostPath")).get("path") or "")
        if not path:
            continue
        clean = "/" + path.strip("/")
        if clean == "/" or any(clean == p or clean.startswith(p + "/") for p in SENSITIVE_HOST_PATHS):
            yield Violation(
                f'volume "{v.get("name")}" mounts host path {path}',
                node=o.workload.spec_node("volumes", n, "hostPath"),
            )


@kubernetes_rule("HG-K8S-023")
def shared_process_namespace(o: KubeObject) -> Iterator[Violation]:
    if o.workload is not None and o.workload.spec.get("shareProcessNamespace") is True:
        yield Violation(
            "shareProcessNamespace: true lets containers see and signal each other's processes",
            node=o.workload.spec_node("shareProcessNamespace"),
        )


@kubernetes_rule("HG-K8S-024")
def kube_system(o: KubeObject) -> Iterator[Violation]:
    if o.workload is not None and o.namespace == "kube-system":
        yield Violation(
            f"{o.kind} {o.name} runs in kube-system beside the control plane's workloads",
            node=o.at("metadata", "namespace"),
        )


@kubernetes_rule("HG-K8S-025")
def no_security_context(o: KubeObject) -> Iterator[Violation]:
    if o.workload is None:
        return
    if not o.workload.security_context and all(not c.security_context for c in o.workload.containers):
        yield Violation(
            "neither the pod nor any container sets a securityContext", node=o.workload.spec_node()
        )


@kubernetes_rule("HG-K8S-026")
def secret_manifest(o: KubeObject) -> Iterator[Violation]:
    if o.kind == "Secret" and (obj(o.raw.get("data")) or obj(o.raw.get("stringData"))):
        key = "data" if obj(o.raw.get("data")) else "stringData"
        yield Violation(
            f"Secret {o.name} keeps credentials in the manifest, and so in version control", node=o.at(key)
        )


@kubernetes_rule("HG-K8S-027")
def credential_in_config_map(o: KubeObject) -> Iterator[Violation]:
    if o.kind != "ConfigMap":
        return
    for key, value in obj(o.raw.get("data")).items():
        if isinstance(value, str) and "\n" not in value.strip() and looks_secret(str(key), value):
            yield Violation(
                f"ConfigMap {o.name} key {key} holds a credential; ConfigMaps are not secret",
                node=o.at("data", key),
            )


RULES = (
    token_automount,
    default_namespace,
    sensitive_host_path,
    shared_process_namespace,
    kube_system,
    no_security_context,
    secret_manifest,
    credential_in_config_map,
)
