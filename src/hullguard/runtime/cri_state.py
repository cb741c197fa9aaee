"""Container name and image for Kubernetes runtimes from their state files, no CRI client needed.

containerd keeps each task's OCI runtime spec at
`/run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>/config.json` (namespace `k8s.io`
for the CRI plugin, `moby` under Docker); CRI-O keeps it at
`/run/containers/storage/overlay-containers/<id>/userdata/config.json` (or under
/var/lib/containers/storage). The kubelet's names arrive as the spec's annotations, which are
what crictl shows: the container name, the image, and the pod's name and namespace.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hullguard.runtime.event import Container

CONTAINERD_TASKS = "run/containerd/io.containerd.runtime.v2.task"
CRIO_STORAGE = ("run/containers/storage/overlay-containers", "var/lib/containers/storage/overlay-containers")
MAX_SPEC_BYTES = 4 << 20
# annotation keys: (container name, image, pod name, pod namespace)
CONTAINERD_KEYS = (
    "io.kubernetes.cri.container-name",
    "io.kubernetes.cri.image-name",
    "io.kubernetes.cri.sandbox-name",
    "io.kubernetes.cri.sandbox-namespace",
)
CRIO_KEYS = (
    "io.kubernetes.cri-o.ContainerName",
    "io.kubernetes.cri-o.ImageName",
    "io.kubernetes.pod.name",
    "io.kubernetes.pod.namespace",
)


def kube_names(runtime: str, notes: dict[str, str]) -> tuple[str | None, str | None, str | None, str | None]:
    """(container name, image, pod name, pod namespace) from a task spec's annotations.

    CRI-O writes its own container name as k8s_<name>_<pod>_<namespace>_<uid>_<attempt>; the
    kubelet's plain name is io.kubernetes.container.name, preferred where present."""
    name_key, image_key, pod_key, ns_key = CONTAINERD_KEYS if runtime == "containerd" else CRIO_KEYS
    name = notes.get("io.kubernetes.container.name") or notes.get(name_key)
    return name or None, notes.get(image_key) or None, notes.get(pod_key) or None, notes.get(ns_key) or None


def spec_paths(runtime: str, container_id: str, root: Path = Path("/")) -> list[Path]:
    if runtime == "containerd":
        tasks = root / CONTAINERD_TASKS
        try:
            namespaces = sorted(p for p in tasks.iterdir() if p.is_dir())
        except OSError:
            return []
        return [ns / container_id / "config.json" for ns in namespaces]
    if runtime == "cri-o":
        return [root / base / container_id / "userdata" / "config.json" for base in CRIO_STORAGE]
    return []


def container_from_state(runtime: str, container_id: str, root: Path = Path("/")) -> Container | None:
    """The container as its runtime's state file names it, or None when there is none to read."""
    for path in spec_paths(runtime, container_id, root):
        spec = _read(path)
        if spec is None:
            continue
        notes = {str(k): str(v) for k, v in (spec.get("annotations") or {}).items()}
        name, image, pod, namespace = kube_names(runtime, notes)
        labels = {
            key: value
            for key, value in (("io.kubernetes.pod.name", pod), ("io.kubernetes.pod.namespace", namespace))
            if value
        }
        mounts = tuple(
            (str(m.get("source", "")), str(m.get("destination", "")), "ro" not in (m.get("options") or ()))
            for m in spec.get("mounts") or ()
            if isinstance(m, dict)
        )
        return Container(
            id=container_id,
            name=name,
            image=image,
            runtime=runtime,
            mounts=mounts,
            labels=labels,
        )
    return None


def _read(path: Path) -> dict[str, Any] | None:
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            return None
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None
