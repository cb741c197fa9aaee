"""containerd and CRI-O containers named from their state files, as crictl would name them.

No Kubernetes node runs here, so the trees are written with the shapes those runtimes write:
the OCI runtime spec (`config.json`) of a task, with the kubelet's names as annotations.
"""

from __future__ import annotations

import json
from pathlib import Path

from hullguard.runtime.cgroups import match_cgroup
from hullguard.runtime.cri_state import container_from_state
from hullguard.runtime.metadata import ContainerCatalog

CID = "4f9d1c5e" * 8


def spec(annotations: dict[str, str]) -> dict[str, object]:
    return {
        "ociVersion": "1.1.0",
        "process": {"user": {"uid": 0, "gid": 0}, "args": ["/pause"], "cwd": "/"},
        "root": {"path": "rootfs"},
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/etc/hosts", "type": "bind", "source": "/var/lib/kubelet/pods/u/etc-hosts",
             "options": ["rbind", "rprivate", "rw"]},
            {"destination": "/var/run/secrets/kubernetes.io/serviceaccount", "type": "bind",
             "source": "/var/lib/kubelet/pods/u/volumes/token", "options": ["rbind", "rprivate", "ro"]},
        ],
        "annotations": annotations,
    }  # fmt: skip


def write(path: Path, doc: dict[str, object]) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(doc))


def test_containerd_cri_task_is_named_by_its_annotations(tmp_path: Path) -> None:
    write(
        tmp_path / "run/containerd/io.containerd.runtime.v2.task/k8s.io" / CID / "config.json",
        spec({
            "io.kubernetes.cri.container-type": "container",
            "io.kubernetes.cri.container-name": "web",
            "io.kubernetes.cri.image-name": "registry.example/shop/web:1.4.2",
            "io.kubernetes.cri.sandbox-name": "web-7d9f6c5b8-x2k4q",
            "io.kubernetes.cri.sandbox-namespace": "shop",
        }),
    )
    match = match_cgroup(f"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podu.slice/cri-containerd-{CID}.scope")
    assert match is not None and match.runtime == "containerd"
    c = ContainerCatalog(podman=("/nonexistent",), docker_socket="/nonexistent", state_root=tmp_path).lookup(match)
    assert (c.id, c.name, c.image, c.runtime) == (CID, "web", "registry.example/shop/web:1.4.2", "containerd")
    assert c.labels == {"io.kubernetes.pod.name": "web-7d9f6c5b8-x2k4q", "io.kubernetes.pod.namespace": "shop"}
    token = next(m for m in c.mounts if m[1].endswith("serviceaccount"))
    assert token[2] is False  # mounted read-only


def test_crio_container_is_named_by_its_annotations(tmp_path: Path) -> None:
    write(
        tmp_path / "run/containers/storage/overlay-containers" / CID / "userdata/config.json",
        spec({
            "io.kubernetes.cri-o.ContainerName": "k8s_api_api-6b8c_prod_0a1b_0",
            "io.kubernetes.container.name": "api",
            "io.kubernetes.cri-o.ImageName": "quay.io/example/api:2.0",
            "io.kubernetes.pod.name": "api-6b8c",
            "io.kubernetes.pod.namespace": "prod",
        }),
    )
    c = container_from_state("cri-o", CID, tmp_path)
    assert c is not None and (c.name, c.image, c.runtime) == ("api", "quay.io/example/api:2.0", "cri-o")


def test_no_state_file_leaves_the_id_alone(tmp_path: Path) -> None:
    assert container_from_state("containerd", CID, tmp_path) is None
    (tmp_path / "run/containers/storage/overlay-containers" / CID / "userdata").mkdir(parents=True)
    (tmp_path / "run/containers/storage/overlay-containers" / CID / "userdata/config.json").write_text("{not json")
    assert container_from_state("cri-o", CID, tmp_path) is None
    match = match_cgroup(f"/kubepods/besteffort/podu/crio-{CID}.scope")
    assert match is not None
    c = ContainerCatalog(podman=("/nonexistent",), docker_socket="/nonexistent", state_root=tmp_path).lookup(match)
    assert (c.id, c.name, c.runtime) == (CID, None, "cri-o")
