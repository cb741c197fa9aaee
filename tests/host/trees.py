"""Host trees for tests: real files with real owners and modes (chown needs root)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

PASSWD = "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\netcd:x:990:990::/var/lib/etcd:/usr/sbin/nologin\n"
GROUP = "root:x:0:\ndocker:x:998:{members}\nalice:x:1000:\netcd:x:990:\n"


@dataclass
class Tree:
    root: Path

    def file(self, path: str, text: str = "", mode: int = 0o644, owner: tuple[int, int] = (0, 0)) -> Path:
        local = self.root / path.lstrip("/")
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_text(text)
        os.chown(local, *owner)
        os.chmod(local, mode)
        return local

    def dir(self, path: str, mode: int = 0o755, owner: tuple[int, int] = (0, 0)) -> Path:
        local = self.root / path.lstrip("/")
        local.mkdir(parents=True, exist_ok=True)
        os.chown(local, *owner)
        os.chmod(local, mode)
        return local

    def socket(self, path: str, mode: int, owner: tuple[int, int]) -> Path:
        local = self.root / path.lstrip("/")
        local.parent.mkdir(parents=True, exist_ok=True)
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(local))
        s.close()
        os.chown(local, *owner)
        os.chmod(local, mode)
        return local

    def symlink(self, path: str, target: str) -> None:
        local = self.root / path.lstrip("/")
        local.parent.mkdir(parents=True, exist_ok=True)
        local.symlink_to(target)

    def process(self, pid: int, argv: list[str]) -> None:
        """A /proc/PID/cmdline as the kernel writes it (NUL-separated), for an offline tree."""
        self.file(f"/proc/{pid}/cmdline", "\0".join(argv) + "\0")


def base(root: Path, docker_members: str = "") -> Tree:
    tree = Tree(root)
    tree.file("/etc/passwd", PASSWD)
    tree.file("/etc/group", GROUP.format(members=docker_members))
    tree.dir("/run")
    if not (root / "var/run").is_symlink():
        tree.symlink("/var/run", "/run")  # absolute, as on a real host: must resolve inside the tree
    return tree


DOCKER_UNIT = """\
[Unit]
Description=Docker Application Container Engine
After=network-online.target containerd.service
Requires=docker.socket

[Service]
Type=notify
ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock
ExecReload=/bin/kill -s HUP $MAINPID
LimitNOFILE=infinity
"""

GOOD_DAEMON_JSON = """{
  "icc": false,
  "log-level": "info",
  "live-restore": true,
  "userland-proxy": false,
  "no-new-privileges": true,
  "userns-remap": "default",
  "authorization-plugins": ["authz-broker"],
  "log-driver": "syslog",
  "log-opts": {"syslog-address": "udp://10.0.0.5:514"},
  "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}},
  "storage-driver": "overlay2"
}
"""

AUDIT_RULES = """\
-w /usr/bin/dockerd -k docker
-a exit,always -F path=/run/containerd -F perm=war -k docker
-w /var/lib/docker -k docker
-w /etc/docker -k docker
-w /lib/systemd/system/docker.service -k docker
-w /lib/systemd/system/docker.socket -k docker
-w /etc/default/docker -k docker
-w /etc/containerd/config.toml -k docker
-w /usr/bin/containerd -k docker
-w /usr/bin/containerd-shim-runc-v2 -k docker
-w /usr/bin/runc -k docker
"""


def good_docker_host(root: Path) -> Tree:
    """A Docker host that passes every automated section 1-3 control."""
    tree = base(root)
    tree.file("/lib/systemd/system/docker.service", DOCKER_UNIT)
    tree.file(
        "/lib/systemd/system/docker.socket", "[Socket]\nListenStream=/run/docker.sock\nSocketGroup=docker\n"
    )
    tree.dir("/etc/docker")
    tree.file("/etc/docker/daemon.json", GOOD_DAEMON_JSON)
    tree.dir("/etc/docker/certs.d/registry.example:5000")
    tree.file("/etc/docker/certs.d/registry.example:5000/ca.crt", "-----BEGIN CERTIFICATE-----\n", mode=0o444)
    tree.file("/etc/default/docker", "# Docker Upstart and SysVinit configuration file\n")
    tree.socket("/run/docker.sock", 0o660, (0, 998))
    tree.dir("/run/containerd", mode=0o711)
    tree.socket("/run/containerd/containerd.sock", 0o660, (0, 0))
    for binary in ("dockerd", "containerd", "containerd-shim-runc-v2", "runc"):
        tree.file(f"/usr/bin/{binary}", "\x7fELF", mode=0o755)
    tree.dir("/var/lib/docker", mode=0o710)
    tree.file("/etc/audit/rules.d/docker.rules", AUDIT_RULES, mode=0o640)
    tree.file("/etc/fstab", "UUID=1 / ext4 defaults 0 1\n/dev/vg0/docker /var/lib/docker xfs defaults 0 2\n")
    return tree


# kubeadm's drop-in, as kubeadm v1.30 writes it (comments shortened)
KUBEADM_DROPIN = """\
# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
"""

KUBELET_CONFIG = """\
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
readOnlyPort: 0
rotateCertificates: true
staticPodPath: /etc/kubernetes/manifests
podPidsLimit: 4096
seccompDefault: true
tlsCertFile: /var/lib/kubelet/pki/kubelet.crt
tlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key
tlsCipherSuites:
- TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
- TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
"""


def good_kube_worker(root: Path) -> Tree:
    """A kubeadm worker node that passes every automated section 4 control."""
    tree = base(root)
    tree.file(
        "/lib/systemd/system/kubelet.service",
        "[Service]\nExecStart=/usr/bin/kubelet\nRestart=always\n",
        mode=0o600,
    )
    tree.file("/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", KUBEADM_DROPIN, mode=0o600)
    tree.file(
        "/var/lib/kubelet/kubeadm-flags.env",
        'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock '
        '--pod-infra-container-image=registry.k8s.io/pause:3.9"\n',
    )
    tree.file("/var/lib/kubelet/config.yaml", KUBELET_CONFIG, mode=0o600)
    tree.file("/etc/kubernetes/kubelet.conf", "apiVersion: v1\nkind: Config\n", mode=0o600)
    tree.file("/etc/kubernetes/pki/ca.crt", "-----BEGIN CERTIFICATE-----\n", mode=0o644)
    return tree


APISERVER = """\
apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-apiserver
    - --advertise-address=10.0.0.10
    - --allow-privileged=true
    - --authorization-mode=Node,RBAC
    - --client-ca-file=/etc/kubernetes/pki/ca.crt
    - --enable-admission-plugins=NodeRestriction
    - --enable-bootstrap-token-auth=true
    - --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt
    - --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt
    - --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key
    - --etcd-servers=https://127.0.0.1:2379
    - --kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt
    - --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key
    - --secure-port=6443
    - --service-account-issuer=https://kubernetes.default.svc.cluster.local
    - --service-account-key-file=/etc/kubernetes/pki/sa.pub
    - --service-account-signing-key-file=/etc/kubernetes/pki/sa.key
    - --tls-cert-file=/etc/kubernetes/pki/apiserver.crt
    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key
    image: registry.k8s.io/kube-apiserver:v1.30.2
    name: kube-apiserver
"""
