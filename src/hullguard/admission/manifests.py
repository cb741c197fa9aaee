"""`admission manifests`: what `kubectl apply` needs to run the webhook — its Deployment (itself
restricted under Pod Security Standards), Service, webhook configurations, TLS material.

failurePolicy guidance: Fail (the default here) means an unreachable webhook blocks every
matching request, so the configurations skip the webhook's own namespace and kube-system, and
the Deployment runs replicas with a PodDisruptionBudget-friendly spread; choose Ignore only for
warn/audit roll-outs, where a missed review costs a log line, not a policy.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hullguard.admission.certs import make_pair

NAME = "hullguard-admission"
PORT = 8443
MOUNT = "/etc/hullguard"
STATE = "/var/lib/hullguard"
WORKLOADS = ["pods", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs",
             "replicationcontrollers", "podtemplates"]  # fmt: skip
GROUPS = ["", "apps", "batch"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    namespace: str
    image: str
    replicas: int
    failure_policy: str
    cert_manager: bool
    serve_args: tuple[str, ...]
    """Policy flags for `admission serve`, with file paths already pointing into MOUNT."""
    files: dict[str, str]
    """File name -> content, shipped in a ConfigMap mounted at MOUNT."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _webhook(kind: str, path: str, o: Options, ca: bytes | None) -> dict[str, Any]:
    name = "validate" if kind.startswith("Validating") else "mutate"
    client: dict[str, Any] = {"service": {"name": NAME, "namespace": o.namespace, "path": path, "port": 443}}
    if ca is not None:
        client["caBundle"] = _b64(ca)
    hook: dict[str, Any] = {
        "name": f"{name}.admission.hullguard.io",
        "admissionReviewVersions": ["v1"],
        "sideEffects": "None",
        "timeoutSeconds": 10,
        "failurePolicy": o.failure_policy,
        "matchPolicy": "Equivalent",
        "clientConfig": client,
        "rules": [{"apiGroups": GROUPS, "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
                   "resources": WORKLOADS, "scope": "Namespaced"}],
        "namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn",
                                                    "values": [o.namespace, "kube-system"]}]},
    }  # fmt: skip
    if name == "mutate":
        hook["reinvocationPolicy"] = "IfNeeded"
    meta: dict[str, Any] = {"name": NAME}
    if o.cert_manager:
        meta["annotations"] = {"cert-manager.io/inject-ca-from": f"{o.namespace}/{NAME}"}
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": kind,
        "metadata": meta,
        "webhooks": [hook],
    }


def _deployment(o: Options) -> dict[str, Any]:
    probe = {"httpGet": {"path": "/healthz", "port": PORT, "scheme": "HTTPS"}, "periodSeconds": 10}
    args = ["admission", "serve", "--listen", f"0.0.0.0:{PORT}", "--tls-cert", "/tls/tls.crt",
            "--tls-key", "/tls/tls.key", "--log", f"{STATE}/decisions.jsonl", *o.serve_args]  # fmt: skip
    # The root filesystem is read-only: the decision log, the scan store and the cache live in
    # STATE, an emptyDir here; make it a PersistentVolumeClaim to keep the log across restarts.
    volumes: list[dict[str, Any]] = [{"name": "tls", "secret": {"secretName": f"{NAME}-tls"}},
                                     {"name": "state", "emptyDir": {"sizeLimit": "1Gi"}}]  # fmt: skip
    mounts: list[dict[str, Any]] = [{"name": "tls", "mountPath": "/tls", "readOnly": True},
                                    {"name": "state", "mountPath": STATE}]  # fmt: skip
    if o.files:
        volumes.append({"name": "policies", "configMap": {"name": f"{NAME}-policies"}})
        mounts.append({"name": "policies", "mountPath": MOUNT, "readOnly": True})
    labels = {"app.kubernetes.io/name": NAME}
    container = {
        "name": "webhook", "image": o.image, "args": args, "ports": [{"containerPort": PORT, "name": "https"}],
        "readinessProbe": probe, "livenessProbe": probe, "volumeMounts": mounts,
        "env": [{"name": "XDG_CACHE_HOME", "value": f"{STATE}/cache"}, {"name": "HOME", "value": STATE}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532,
                            "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
    }  # fmt: skip
    spec = {
        "serviceAccountName": NAME,
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container],
        "volumes": volumes,
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                                       "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": labels}}],
    }  # fmt: skip
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": NAME, "namespace": o.namespace, "labels": labels},
        "spec": {"replicas": o.replicas, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": spec}},
    }  # fmt: skip


def _tls(o: Options) -> tuple[list[dict[str, Any]], bytes | None]:
    dns = (f"{NAME}.{o.namespace}.svc", f"{NAME}.{o.namespace}.svc.cluster.local", f"{NAME}.{o.namespace}")
    meta = {"name": NAME, "namespace": o.namespace}
    if o.cert_manager:
        issuer = {
            "apiVersion": "cert-manager.io/v1",
            "kind": "Issuer",
            "metadata": meta,
            "spec": {"selfSigned": {}},
        }
        cert = {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": meta,
                "spec": {"secretName": f"{NAME}-tls", "dnsNames": list(dns), "issuerRef": {"name": NAME, "kind": "Issuer"},
                         "privateKey": {"algorithm": "ECDSA", "size": 256}}}  # fmt: skip
        return [issuer, cert], None
    pair = make_pair(dns)
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
              "metadata": {"name": f"{NAME}-tls", "namespace": o.namespace},
              "data": {"tls.crt": _b64(pair.cert_pem), "tls.key": _b64(pair.key_pem), "ca.crt": _b64(pair.ca_pem)}}  # fmt: skip
    return [secret], pair.ca_pem


def build_manifests(o: Options) -> list[dict[str, Any]]:
    labels = {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
    }
    docs: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": o.namespace, "labels": labels}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": NAME, "namespace": o.namespace},
         "automountServiceAccountToken": False},
    ]  # fmt: skip
    tls, ca = _tls(o)
    docs += tls
    if o.files:
        docs.append({"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": f"{NAME}-policies", "namespace": o.namespace}, "data": dict(o.files)})  # fmt: skip
    docs.append(_deployment(o))
    docs.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": NAME, "namespace": o.namespace},
                 "spec": {"selector": {"app.kubernetes.io/name": NAME},
                          "ports": [{"name": "https", "port": 443, "targetPort": PORT}]}})  # fmt: skip
    docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                 "metadata": {"name": NAME, "namespace": o.namespace},
                 "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": NAME}},
                          "policyTypes": ["Ingress", "Egress"],
                          "ingress": [{"ports": [{"port": PORT, "protocol": "TCP"}]}],
                          "egress": [{}]}})  # the API server's address is not known here; registries are anywhere  # fmt: skip
    docs.append(_webhook("ValidatingWebhookConfiguration", "/validate", o, ca))
    docs.append(_webhook("MutatingWebhookConfiguration", "/mutate", o, ca))
    return docs


def render(docs: list[dict[str, Any]]) -> str:
    header = "# hullguard admission webhook: kubectl apply -f this file\n" + "".join(
        f"# {line}\n" for line in (__doc__ or "").split("\n\n")[1].splitlines()
    )
    return header + yaml.safe_dump_all(docs, sort_keys=False, width=120)


def read_files(paths: dict[str, Path]) -> dict[str, str]:
    return {name: path.read_text(encoding="utf-8") for name, path in paths.items()}
