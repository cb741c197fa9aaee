"""Kubernetes containers of a CRI runtime, checked from its state files like engine containers.

No kubelet, containerd or CRI-O runs here, so the trees hold what those runtimes write for a
running task: the OCI runtime spec (`config.json`, kubelet names as annotations) and its pid
file. The specs follow containerd's CRI defaults (and its privileged variant).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hullguard.host.containers.scan import scan_containers
from hullguard.host.tree import HostTree

HARDENED = "a1" * 32
LOOSE = "b2" * 32
PAUSE = "c3" * 32
CRIO = "d4" * 32
DEFAULT_CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
                "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
                "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]  # fmt: skip
ALL_NS = [{"type": t} for t in ("pid", "ipc", "uts", "mount", "network")]


def spec(name: str, *, kind: str = "container", caps: list[str] = DEFAULT_CAPS, ns: list[dict[str, str]] = ALL_NS,
         seccomp: bool = True, nnp: bool = True, readonly: bool = True, memory: int | None = 268435456,
         devices_all: bool = False, mounts: list[dict[str, Any]] | None = None) -> dict[str, Any]:  # fmt: skip
    linux: dict[str, Any] = {
        "namespaces": ns,
        "resources": {
            "devices": [{"allow": False, "access": "rwm"}, *([{"allow": True, "access": "rwm"}] if devices_all else [])],
            **({"memory": {"limit": memory}} if memory else {}),
            "cpu": {"shares": 102, "quota": 50000, "period": 100000},
            "pids": {"limit": 512},
        },
    }
    if seccomp:
        linux["seccomp"] = {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []}
    return {
        "ociVersion": "1.1.0",
        "process": {"args": ["/app"], "noNewPrivileges": nnp, "apparmorProfile": "cri-containerd.apparmor.d",
                    "capabilities": {"bounding": caps, "effective": caps, "permitted": caps}},
        "root": {"path": "rootfs", "readonly": readonly},
        "mounts": mounts or [],
        "linux": linux,
        "annotations": {"io.kubernetes.cri.container-type": kind, "io.kubernetes.cri.container-name": name,
                        "io.kubernetes.cri.image-name": f"registry.example/{name}:1.0",
                        "io.kubernetes.cri.sandbox-name": f"{name}-pod", "io.kubernetes.cri.sandbox-namespace": "shop"},
    }  # fmt: skip


def task(root: Path, cid: str, doc: dict[str, Any]) -> None:
    folder = root / "run/containerd/io.containerd.runtime.v2.task/k8s.io" / cid
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(doc))
    (folder / "init.pid").write_text("999999")


def test_cri_containers_get_the_section_5_checks(tmp_path: Path) -> None:
    (tmp_path / "run/containerd").mkdir(parents=True)
    (tmp_path / "run/containerd/containerd.sock").write_text("")
    task(tmp_path, HARDENED, spec("web"))
    task(tmp_path, PAUSE, spec("web-pod", kind="sandbox"))
    task(tmp_path, LOOSE, spec(
        "debug", caps=[*DEFAULT_CAPS, "CAP_SYS_ADMIN", "CAP_NET_ADMIN"], ns=[{"type": "mount"}, {"type": "uts"}],
        seccomp=False, nnp=False, readonly=False, memory=None, devices_all=True,
        mounts=[{"destination": "/host", "type": "bind", "source": "/", "options": ["rbind", "rshared", "rw"]}],
    ))  # fmt: skip
    findings, issues = scan_containers(None, HostTree(tmp_path))
    # no process runs in this tree: the cgroup limits cannot be verified at the source, and say so
    assert issues and all("limits of shop/" in i.message and "not verified" in i.message for i in issues)
    by: dict[str, set[str]] = {}
    for f in findings:
        assert f.location.container is not None
        by.setdefault(f.location.container.name or "", set()).add(f.id.rsplit("-", 1)[-1])
    assert "shop/web-pod/web-pod" not in by  # the pause sandbox is not a workload
    assert by.get("shop/web-pod/web", set()) == set()  # containerd's hardened defaults pass
    loose = by["shop/debug-pod/debug"]
    for cis in ("5.4", "5.5", "5.6", "5.10", "5.11", "5.13", "5.16", "5.17", "5.20", "5.22", "5.26"):
        assert cis in loose, (cis, sorted(loose))
    image = next(f for f in findings if f.location.container and f.location.container.name == "shop/debug-pod/debug")
    assert image.location.container is not None and image.location.container.image == "registry.example/debug:1.0"


def test_a_broken_spec_is_an_issue_and_the_rest_is_checked(tmp_path: Path) -> None:
    task(tmp_path, HARDENED, spec("web"))
    bad = tmp_path / "run/containers/storage/overlay-containers" / CRIO / "userdata"
    bad.mkdir(parents=True)
    (bad / "config.json").write_text("{not json")
    findings, issues = scan_containers(None, HostTree(tmp_path))
    broken = [i for i in issues if "not verified" not in i.message]
    assert [i.path for i in broken] == [f"/run/containers/storage/overlay-containers/{CRIO}/userdata/config.json"]
    assert "not an OCI runtime spec" in broken[0].message
    assert findings == []  # the hardened one, still checked
