"""Build the monitor's CO-RE object once per source and kernel BTF: clang, with vmlinux.h from bpftool."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

from hullguard.cache import default_cache_dir
from hullguard.runtime.errors import SourceUnavailable

SOURCE = Path(__file__).with_name("monitor.bpf.c")
BTF = Path("/sys/kernel/btf/vmlinux")
_ARCH = {"x86_64": "x86", "aarch64": "arm64"}


def object_path(cache_dir: Path | None = None) -> Path:
    """The compiled object, built now if this source and kernel have none cached."""
    arch = _ARCH.get(platform.machine())
    if arch is None:
        raise SourceUnavailable(f"eBPF source: architecture {platform.machine()} is not supported")
    if not BTF.exists():
        raise SourceUnavailable(f"eBPF source: {BTF} is absent (a kernel without BTF cannot run CO-RE objects)")
    missing = [t for t in ("clang", "bpftool") if shutil.which(t) is None]
    key = hashlib.sha256(SOURCE.read_bytes() + arch.encode() + _btf_id()).hexdigest()[:16]
    out = (cache_dir or default_cache_dir()) / "bpf" / f"monitor-{key}.bpf.o"
    if out.exists():
        return out
    if missing:
        raise SourceUnavailable(f"eBPF source: {', '.join(missing)} not installed (Debian: clang, bpftool, libbpf-dev)")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hg-bpf-") as tmp:
        header = Path(tmp) / "vmlinux.h"
        with header.open("wb") as f:
            _run(["bpftool", "btf", "dump", "file", str(BTF), "format", "c"], stdout=f)
        built = Path(tmp) / "monitor.bpf.o"
        _run(["clang", "-O2", "-g", "-target", "bpf", f"-D__TARGET_ARCH_{arch}", f"-I{tmp}",
              "-c", str(SOURCE), "-o", str(built)])
        os.replace(built, out)
    return out


def _btf_id() -> bytes:
    # The BTF size and the kernel release stand for "this kernel" without hashing 5 MiB each start.
    st = BTF.stat()
    return f"{st.st_size}:{platform.release()}".encode()


def _run(cmd: list[str], stdout: object = None) -> None:
    result = subprocess.run(cmd, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, check=False)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise SourceUnavailable(f"eBPF build: {' '.join(cmd[:3])} failed: {result.stderr.decode(errors='replace')[-800:]}")
