"""Kubernetes containers a CRI runtime runs (containerd, CRI-O), read from their state files as
crictl would show them, for the same CIS Docker section 5 checks as engine containers.

Each running task keeps its OCI runtime spec: containerd under
`/run/containerd/io.containerd.runtime.v2.task/k8s.io/<id>/config.json` (with `init.pid`),
CRI-O under `/run/containers/storage/overlay-containers/<id>/userdata/config.json` (with
`pidfile`). The spec says what the container really got: capabilities, namespaces (one left out
is the host's), mounts, cgroup limits, seccomp, AppArmor, no_new_privs, a read-only root.
Pod sandboxes (pause containers) are skipped.
"""

from __future__ import annotations

import json
from typing import Any

from hullguard.host.containers.model import Container, Mount
from hullguard.host.tree import HostReadError, HostTree
from hullguard.model import ContainerRef, Issue
from hullguard.runtime.cri_state import kube_names

STAGE = "containers"
CONTAINERD = "/run/containerd/io.containerd.runtime.v2.task/k8s.io"
CRIO = ("/run/containers/storage/overlay-containers", "/var/lib/containers/storage/overlay-containers")
DEFAULT_CAPS = frozenset({
    "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP",
    "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
})
"""The runtimes' default set (containerd's and CRI-O's CRI defaults): anything beyond was added."""
PROPAGATION = ("rshared", "shared", "rslave", "slave", "rprivate", "private")


def cri_containers(tree: HostTree) -> tuple[list[Container], list[Issue]]:
    found: list[Container] = []
    issues: list[Issue] = []
    places = [(task, "config.json", "init.pid", "containerd") for task in tree.listdir(CONTAINERD)]
    for base in CRIO:  # listdir gives host paths
        places += [(f"{c}/userdata", "config.json", "pidfile", "cri-o") for c in tree.listdir(base)]
    for folder, spec_name, pid_name, runtime in places:
        try:
            raw = tree.read_bytes(f"{folder}/{spec_name}")
            pid_text = (tree.read_text(f"{folder}/{pid_name}") or "").strip()
        except HostReadError as e:
            issues.append(Issue(stage=STAGE, path=f"{folder}/{spec_name}", message=str(e)))
            continue
        if raw is None:
            continue
        try:
            spec = json.loads(raw)
            if not isinstance(spec, dict):
                raise ValueError("not a JSON object")
            container = from_spec(spec, folder.split("/")[-2 if runtime == "cri-o" else -1], runtime)
        except (ValueError, TypeError, AttributeError) as e:
            issues.append(Issue(stage=STAGE, path=f"{folder}/{spec_name}", message=f"not an OCI runtime spec: {e}"))
            continue
        if container is None:
            continue
        found.append(_with_pid(container, int(pid_text) if pid_text.isdigit() else 0))
    return found, issues


def from_spec(spec: dict[str, Any], container_id: str, runtime: str) -> Container | None:
    notes = {str(k): str(v) for k, v in (spec.get("annotations") or {}).items()}
    kind = notes.get("io.kubernetes.cri.container-type") or notes.get("io.kubernetes.cri-o.ContainerType")
    if kind == "sandbox":
        return None
    name, image, pod, namespace = kube_names(runtime, notes)
    name = name or container_id[:12]
    process = spec.get("process") or {}
    linux = spec.get("linux") or {}
    caps = {c.removeprefix("CAP_") for c in (process.get("capabilities") or {}).get("bounding") or ()}
    namespaces = {n.get("type") for n in linux.get("namespaces") or () if isinstance(n, dict)}
    resources = linux.get("resources") or {}
    cpu = resources.get("cpu") or {}
    all_devices = any(
        d.get("allow") and d.get("type", "a") in ("a", "") and d.get("major") is None
        for d in resources.get("devices") or ()
        if isinstance(d, dict)
    )
    security_opt = []
    if linux.get("seccomp") is None:
        security_opt.append("seccomp=unconfined")
    if process.get("noNewPrivileges"):
        security_opt.append("no-new-privileges=true")
    mounts = tuple(
        Mount(
            source=str(m.get("source", "")),
            destination=str(m.get("destination", "")),
            rw="ro" not in (m.get("options") or ()),
            propagation=next((o for o in m.get("options") or () if o in PROPAGATION), ""),
        )
        for m in spec.get("mounts") or ()
        if isinstance(m, dict) and m.get("type") in ("bind", None)
    )
    pids = (resources.get("pids") or {}).get("limit")
    return Container(
        ref=ContainerRef(
            id=container_id,
            name=f"{namespace}/{pod}/{name}" if pod and namespace else name,
            image=image,
        ),
        pid=0,
        privileged="SYS_ADMIN" in caps and all_devices and linux.get("seccomp") is None,
        cap_add=tuple(sorted(caps - DEFAULT_CAPS)),
        mounts=mounts,
        ports=(),
        network_mode="host" if "network" not in namespaces else runtime,
        pid_mode="host" if "pid" not in namespaces else runtime,
        ipc_mode="host" if "ipc" not in namespaces else runtime,
        uts_mode="host" if "uts" not in namespaces else runtime,
        userns_mode="",
        security_opt=tuple(security_opt),
        apparmor_profile=str(process.get("apparmorProfile") or ""),
        memory=int((resources.get("memory") or {}).get("limit") or 0),
        nano_cpus=0,
        cpu_shares=int(cpu.get("shares") or 0),
        cpu_quota=int(cpu.get("quota") or 0),
        cpu_period=int(cpu.get("period") or 0),
        pids_limit=int(pids) if isinstance(pids, int) and pids > 0 else None,
        readonly_rootfs=bool((spec.get("root") or {}).get("readonly")),
        restart_policy="kubelet",
        restart_retries=0,
        healthcheck=True,  # probes are the pod spec's: `config --pss`/HG-K8S rules judge them
        cgroup_parent="",
        devices=(),
    )


def _with_pid(c: Container, pid: int) -> Container:
    from dataclasses import replace

    return replace(c, pid=pid)
