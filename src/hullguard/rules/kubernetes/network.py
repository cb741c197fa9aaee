"""Kubernetes rules about exposure: Service types, Ingress TLS, namespaces without NetworkPolicy."""

from __future__ import annotations

from collections.abc import Iterator

from hullguard.rules.base import Violation, kubernetes_rule
from hullguard.rules.kubernetes.objects import KubeObject, obj, seq


@kubernetes_rule("HG-K8S-040")
def node_port(o: KubeObject) -> Iterator[Violation]:
    if o.kind == "Service" and obj(o.raw.get("spec")).get("type") == "NodePort":
        yield Violation(
            f"Service {o.name} is a NodePort: it listens on every node's address", node=o.at("spec", "type")
        )


@kubernetes_rule("HG-K8S-041")
def load_balancer(o: KubeObject) -> Iterator[Violation]:
    spec = obj(o.raw.get("spec"))
    if (
        o.kind == "Service"
        and spec.get("type") == "LoadBalancer"
        and not seq(spec.get("loadBalancerSourceRanges"))
    ):
        yield Violation(
            f"Service {o.name} is a LoadBalancer open to every source address", node=o.at("spec", "type")
        )


@kubernetes_rule("HG-K8S-042")
def namespace_without_network_policy(o: KubeObject) -> Iterator[Violation]:
    namespace = o.name if o.kind == "Namespace" else (o.namespace or "default")
    anchor = (o.path, o.doc.index, o.base) in o.context.namespace_anchors
    if anchor and namespace not in o.context.network_policy_namespaces:
        yield Violation(
            f"namespace {namespace} has no NetworkPolicy in these manifests: its pods accept all traffic",
            node=o.at("metadata"),
        )


@kubernetes_rule("HG-K8S-043")
def ingress_without_tls(o: KubeObject) -> Iterator[Violation]:
    if o.kind == "Ingress" and not seq(obj(o.raw.get("spec")).get("tls")):
        yield Violation(f"Ingress {o.name} serves plain HTTP (no tls section)", node=o.at("spec"))


@kubernetes_rule("HG-K8S-044")
def external_ips(o: KubeObject) -> Iterator[Violation]:
    if o.kind == "Service" and seq(obj(o.raw.get("spec")).get("externalIPs")):
        yield Violation(
            f"Service {o.name} sets externalIPs, which can intercept traffic to those addresses (CVE-2020-8554)",
            node=o.at("spec", "externalIPs"),
        )


RULES = (node_port, load_balancer, namespace_without_network_policy, ingress_without_tls, external_ips)
