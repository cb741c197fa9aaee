"""CIS Kubernetes 1.12 node and control plane checks over real host trees (kubeadm layouts)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hullguard.host.scan import HostOptions, scan_host
from hullguard.model import KubeObject
from tests.host.trees import APISERVER, good_kube_worker

pytestmark = pytest.mark.usefixtures("as_root")


def findings(root: Path) -> dict[str, list[str]]:
    result = scan_host(HostOptions(root=root, benchmark="cis-kubernetes-node"))
    out: dict[str, list[str]] = {}
    for f in result.findings:
        out.setdefault(f.id, []).append(f"{f.location.path}: {f.message}")
    return out


def test_a_hardened_kubeadm_worker_has_no_findings(tmp_path: Path) -> None:
    good_kube_worker(tmp_path)
    result = scan_host(HostOptions(root=tmp_path, benchmark="cis-kubernetes-node"))
    assert [f"{f.id} {f.message}" for f in result.findings] == []
    assert result.issues == ()


def test_kubeadm_defaults_fail_what_kube_bench_fails(tmp_path: Path) -> None:
    """kubeadm writes its drop-in 0644, and its config has no pid limit, seccomp default or cipher list."""
    tree = good_kube_worker(tmp_path)
    os.chmod(tmp_path / "etc/systemd/system/kubelet.service.d/10-kubeadm.conf", 0o644)
    config = (tmp_path / "var/lib/kubelet/config.yaml").read_text()
    config = config.split("podPidsLimit")[0].replace("readOnlyPort: 0\n", "")
    tree.file("/var/lib/kubelet/config.yaml", config, mode=0o600)
    assert sorted(findings(tmp_path)) == [
        "HG-KUBE-4.1.1",
        "HG-KUBE-4.2.12",
        "HG-KUBE-4.2.13",
        "HG-KUBE-4.2.14",
        "HG-KUBE-4.2.9",
    ]


def test_the_command_line_wins_over_the_config_file(tmp_path: Path) -> None:
    tree = good_kube_worker(tmp_path)
    tree.file("/etc/default/kubelet", 'KUBELET_EXTRA_ARGS="--anonymous-auth=true --read-only-port=10255"\n')
    found = findings(tmp_path)
    assert found["HG-KUBE-4.2.1"] == [
        "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf: kubelet: --anonymous-auth is 'true' in "
        "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf (expected false)"
    ]
    assert "HG-KUBE-4.2.4" in found
    # the running process wins over the unit: it says --anonymous-auth=false, and names another config
    tree.file("/var/lib/kubelet/other.yaml", "authorization: {mode: AlwaysAllow}\n", mode=0o644)
    tree.process(
        1501,
        [
            "/usr/bin/kubelet",
            "--anonymous-auth=false",
            "--config=/var/lib/kubelet/other.yaml",
            "--kubeconfig=/etc/kubernetes/kubelet.conf",
        ],
    )
    found = findings(tmp_path)
    assert "HG-KUBE-4.2.1" not in found and "HG-KUBE-4.2.4" not in found
    assert found["HG-KUBE-4.2.2"] == [
        "/var/lib/kubelet/other.yaml: kubelet: authorization.mode is 'AlwaysAllow' in /var/lib/kubelet/other.yaml "
        "(must not include AlwaysAllow)"
    ]
    assert found["HG-KUBE-4.1.9"] == [
        "/var/lib/kubelet/other.yaml: /var/lib/kubelet/other.yaml has mode 0644; expected 0600 or more restrictive"
    ]


def test_worker_files(tmp_path: Path) -> None:
    good_kube_worker(tmp_path)
    os.chmod(tmp_path / "etc/kubernetes/kubelet.conf", 0o644)
    os.chown(tmp_path / "etc/kubernetes/pki/ca.crt", 1000, 1000)
    os.chmod(tmp_path / "etc/kubernetes/pki/ca.crt", 0o666)
    os.chown(tmp_path / "lib/systemd/system/kubelet.service", 1000, 0)
    found = findings(tmp_path)
    assert sorted(found) == ["HG-KUBE-4.1.2", "HG-KUBE-4.1.5", "HG-KUBE-4.1.7", "HG-KUBE-4.1.8"]
    assert found["HG-KUBE-4.1.8"] == [
        "/etc/kubernetes/pki/ca.crt: /etc/kubernetes/pki/ca.crt is owned by alice:alice; expected root:root"
    ]


def test_malformed_kubelet_yaml_is_an_issue_and_flags_still_count(tmp_path: Path) -> None:
    tree = good_kube_worker(tmp_path)
    tree.file(
        "/var/lib/kubelet/config.yaml",
        "authentication:\n  anonymous:\n    enabled: false\n  x509: [\n",
        mode=0o600,
    )
    tree.file("/etc/default/kubelet", 'KUBELET_EXTRA_ARGS="--rotate-certificates=false"\n')
    result = scan_host(HostOptions(root=tmp_path, benchmark="cis-kubernetes-node"))
    issues = {i.message for i in result.issues}
    assert any(m.startswith("/var/lib/kubelet/config.yaml: line 5:") for m in issues), issues
    assert any(m.startswith("HG-KUBE-4.2.1 not checked: /var/lib/kubelet/config.yaml") for m in issues)
    assert {f.id for f in result.findings} == {"HG-KUBE-4.2.10"}  # from the command line


def test_control_plane_static_pods(tmp_path: Path) -> None:
    tree = good_kube_worker(tmp_path)
    tree.file("/etc/kubernetes/manifests/kube-apiserver.yaml", APISERVER, mode=0o644)
    tree.file("/etc/kubernetes/admin.conf", "apiVersion: v1\nkind: Config\n", mode=0o600, owner=(1000, 1000))
    tree.dir("/var/lib/etcd", mode=0o700, owner=(990, 990))
    tree.file("/etc/kubernetes/pki/apiserver.key", "key", mode=0o644)
    found = findings(tmp_path)
    assert found["HG-KUBE-1.1.1"] == [
        "/etc/kubernetes/manifests/kube-apiserver.yaml: /etc/kubernetes/manifests/kube-apiserver.yaml has mode 0644; "
        "expected 0600 or more restrictive"
    ]
    assert "HG-KUBE-1.1.14" in found and "HG-KUBE-1.1.21" in found
    # kubeadm's defaults: no audit log, profiling on, anonymous auth on, no kubelet CA
    for cis in ("1.2.1", "1.2.5", "1.2.15", "1.2.16", "1.2.17", "3.2.1"):
        assert f"HG-KUBE-{cis}" in found, cis
    for cis in (
        "1.2.4",
        "1.2.6",
        "1.2.7",
        "1.2.8",
        "1.2.14",
        "1.2.22",
        "1.2.23",
        "1.2.24",
        "1.2.25",
        "1.2.26",
    ):
        assert f"HG-KUBE-{cis}" not in found, cis
    result = scan_host(HostOptions(root=tmp_path, benchmark="cis-kubernetes-node"))
    audit_path = next(f for f in result.findings if f.id == "HG-KUBE-1.2.16")
    assert audit_path.location.object == KubeObject(
        kind="Pod", name="kube-apiserver", namespace="kube-system", api_version="v1"
    )
    assert (
        next(f for f in result.findings if f.id == "HG-KUBE-4.1.1" or f.id == "HG-KUBE-1.1.1").location.object
        is None
    )
    assert found["HG-KUBE-1.2.16"][0].startswith(
        "/etc/kubernetes/manifests/kube-apiserver.yaml: kube-apiserver: --audit-log-path is not set"
    )
    # no etcd manifest: the etcd controls are not applicable, and its data dir is not checked by default
    assert not any(k.startswith("HG-KUBE-2.") for k in found)


def test_audit_policy_file_is_checked(tmp_path: Path) -> None:
    tree = good_kube_worker(tmp_path)
    manifest = APISERVER.replace(
        "    - --secure-port=6443\n",
        "    - --secure-port=6443\n    - --audit-policy-file=/etc/kubernetes/audit-policy.yaml\n"
        "    - --audit-log-path=/var/log/kubernetes/audit/audit.log\n    - --audit-log-maxage=30\n"
        "    - --audit-log-maxbackup=10\n    - --audit-log-maxsize=100\n",
    )
    tree.file("/etc/kubernetes/manifests/kube-apiserver.yaml", manifest, mode=0o600)
    found = findings(tmp_path)
    assert found["HG-KUBE-3.2.1"] == [
        "/etc/kubernetes/manifests/kube-apiserver.yaml: kube-apiserver: the audit policy "
        "/etc/kubernetes/audit-policy.yaml does not exist"
    ]
    assert not any(
        k in found for k in ("HG-KUBE-1.2.16", "HG-KUBE-1.2.17", "HG-KUBE-1.2.18", "HG-KUBE-1.2.19")
    )
    tree.file(
        "/etc/kubernetes/audit-policy.yaml",
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n",
        mode=0o600,
    )
    assert "HG-KUBE-3.2.1" not in findings(tmp_path)


def test_audit_policy_coverage(tmp_path: Path) -> None:
    """The policy from the Kubernetes audit docs' example, then one that logs secret bodies."""
    tree = good_kube_worker(tmp_path)
    manifest = APISERVER.replace(
        "    - --secure-port=6443\n",
        "    - --secure-port=6443\n    - --audit-policy-file=/etc/kubernetes/audit-policy.yaml\n",
    )
    tree.file("/etc/kubernetes/manifests/kube-apiserver.yaml", manifest, mode=0o600)
    policy = """\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: RequestResponse
    resources:
    - group: ""
      resources: ["pods"]
  - level: Metadata
    resources:
    - group: ""
      resources: ["pods/log", "pods/status"]
  - level: None
    resources:
    - group: ""
      resources: ["configmaps"]
      resourceNames: ["controller-leader"]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
    - group: ""
      resources: ["endpoints", "services"]
  - level: Request
    resources:
    - group: ""
      resources: ["configmaps"]
    namespaces: ["kube-system"]
  - level: Metadata
    resources:
    - group: ""
      resources: ["secrets", "configmaps"]
  - level: Request
    resources:
    - group: ""
    - group: "extensions"
  - level: Metadata
    omitStages:
      - "RequestReceived"
"""
    tree.file("/etc/kubernetes/audit-policy.yaml", policy, mode=0o600)
    assert "HG-KUBE-3.2.2" not in findings(tmp_path)
    tree.file(
        "/etc/kubernetes/audit-policy.yaml",
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n  resources:\n  - group: ''\n"
        "    resources: [secrets]\n- level: None\n  resources:\n  - group: rbac.authorization.k8s.io\n- level: Metadata\n",
        mode=0o600,
    )
    assert sorted(findings(tmp_path)["HG-KUBE-3.2.2"]) == [
        "/etc/kubernetes/audit-policy.yaml: /etc/kubernetes/audit-policy.yaml: clusterrolebindings are not audited (level None)",
        "/etc/kubernetes/audit-policy.yaml: /etc/kubernetes/audit-policy.yaml: rolebindings are not audited (level None)",
        "/etc/kubernetes/audit-policy.yaml: /etc/kubernetes/audit-policy.yaml: secrets are logged at RequestResponse: "
        "their contents (credentials) are written to the audit log",
    ]
