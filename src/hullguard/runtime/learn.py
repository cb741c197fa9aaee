"""`runtime profile`: observe one container for a while, then write what it needed."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from hullguard.runtime.assemble import Assembler
from hullguard.runtime.bpf.source import EbpfSource
from hullguard.runtime.cgroups import match_cgroup, proc_cgroup
from hullguard.runtime.errors import RuntimeMonitorError
from hullguard.runtime.event import Container
from hullguard.runtime.metadata import ContainerCatalog, container_from_inspect
from hullguard.runtime.profile import (
    Connections,
    cgroup_id,
    network_policy,
    pod_labels,
    seccomp_profile,
    syscall_names,
)
from hullguard.runtime.record import Record
from hullguard.runtime.syscalls import NETWORK, X86_64

CGROUP_ROOTS = (Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup"))


def learn_profile(name_or_id: str, duration: float, out_dir: Path, stop: threading.Event,
                  warn: Callable[[str], None], catalog: ContainerCatalog | None = None) -> tuple[Path, Path]:
    catalog = catalog or ContainerCatalog()
    doc = catalog.inspect(name_or_id)
    if doc is None:
        raise RuntimeMonitorError(f"container {name_or_id!r} not found (podman container inspect)")
    pid = int((doc.get("State") or {}).get("Pid") or 0)
    path = proc_cgroup(pid) if pid else None
    match = match_cgroup(path) if path else None
    if match is None or path is None:
        raise RuntimeMonitorError(f"container {name_or_id!r} is not running (no cgroup for pid {pid})")
    container = container_from_inspect(doc, match)
    cg = cgroup_id(root / path.lstrip("/") for root in CGROUP_ROOTS)
    if cg is None:
        raise RuntimeMonitorError(f"cgroup {path} of {name_or_id} not found under {', '.join(map(str, CGROUP_ROOTS))}")
    seen = Connections()
    assembler = Assembler(lambda _match, _pid: container)

    def sink(record: Record) -> None:
        leaf = match_cgroup(record.cgroup or "")
        if leaf is not None and leaf.id == match.id:
            event = assembler.feed(record)
            if event is not None:
                seen.add(event)

    source = EbpfSource(sink, syscalls=tuple(s for s in X86_64 if s.name in NETWORK or s.name == "socket"))
    source.open()
    try:
        source.profile_cgroup(cg)
        warn(f"profiling {container.name or container.id[:12]} for {duration:g}s")
        deadline = time.monotonic() + duration
        while not stop.is_set() and time.monotonic() < deadline:
            source.poll(100)
        source.poll(0)
        counts = source.syscall_counts()
    finally:
        source.close()
    return write_profiles(container, counts, seen, out_dir)


def write_profiles(container: Container, counts: dict[int, int], seen: Connections, out_dir: Path) -> tuple[Path, Path]:
    name = (container.name or container.id[:12]).replace("/", "-")
    out_dir.mkdir(parents=True, exist_ok=True)
    seccomp = out_dir / f"{name}.seccomp.json"
    seccomp.write_text(json.dumps(seccomp_profile(counts, syscall_names()), indent=2) + "\n")
    labels = pod_labels(container.labels, name)
    policy = out_dir / f"{name}.networkpolicy.yaml"
    namespace = container.labels.get("io.kubernetes.pod.namespace")
    policy.write_text(yaml.safe_dump(network_policy(name, labels, seen, namespace), sort_keys=False))
    return seccomp, policy

