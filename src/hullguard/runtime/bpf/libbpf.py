"""The few libbpf calls the monitor needs, through ctypes (Debian's libbpf1; no Python dependency).

libbpf is the kernel's own loader (maintained with the kernel's BPF subsystem): it relocates
the CO-RE object against this kernel's BTF, creates the maps and attaches the programs by
their section names. bcc would need LLVM at run time; a Python reimplementation of CO-RE
relocation would be a loader of our own to maintain."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path

from hullguard.runtime.errors import SourceUnavailable

_lib: ctypes.CDLL | None = None


def lib() -> ctypes.CDLL:
    global _lib
    if _lib is None:
        name = ctypes.util.find_library("bpf") or "libbpf.so.1"
        try:
            handle = ctypes.CDLL(name, use_errno=True)
        except OSError as e:
            raise SourceUnavailable(f"libbpf is not installed ({e}); install Debian's libbpf1") from e
        _declare(handle)
        _lib = handle
    return _lib


def _declare(h: ctypes.CDLL) -> None:
    p, i = ctypes.c_void_p, ctypes.c_int
    for name, res, args in (
        ("bpf_object__open_file", p, (ctypes.c_char_p, p)),
        ("bpf_object__load", i, (p,)),
        ("bpf_object__close", None, (p,)),
        ("bpf_object__find_program_by_name", p, (p, ctypes.c_char_p)),
        ("bpf_object__find_map_fd_by_name", i, (p, ctypes.c_char_p)),
        ("bpf_program__attach", p, (p,)),
        ("bpf_link__destroy", i, (p,)),
        ("bpf_map_update_elem", i, (i, p, p, ctypes.c_uint64)),
        ("bpf_map_lookup_elem", i, (i, p, p)),
        ("libbpf_get_error", ctypes.c_long, (p,)),
        ("libbpf_num_possible_cpus", i, ()),
    ):
        fn = getattr(h, name)
        fn.restype, fn.argtypes = res, args


def _check_ptr(ptr: int | None, what: str) -> int:
    if not ptr:
        err = ctypes.get_errno()
        raise SourceUnavailable(f"libbpf: {what} failed: {os.strerror(err) if err else 'unknown error'}")
    return ptr


class BpfObject:
    """An opened, loaded BPF object with its attached programs; close() detaches everything."""

    def __init__(self, path: Path, programs: tuple[str, ...]) -> None:
        self._lib = lib()
        self._obj = _check_ptr(self._lib.bpf_object__open_file(str(path).encode(), None), f"open {path}")
        self._links: list[int] = []
        try:
            if self._lib.bpf_object__load(self._obj) != 0:
                err = ctypes.get_errno()
                raise SourceUnavailable(f"libbpf: loading {path.name} failed: {os.strerror(err)} (see libbpf's log above)")
            for name in programs:
                prog = _check_ptr(self._lib.bpf_object__find_program_by_name(self._obj, name.encode()), f"find {name}")
                self._links.append(_check_ptr(self._lib.bpf_program__attach(prog), f"attach {name}"))
        except BaseException:
            self.close()
            raise

    def map_fd(self, name: str) -> int:
        fd = int(self._lib.bpf_object__find_map_fd_by_name(self._obj, name.encode()))
        if fd < 0:
            raise SourceUnavailable(f"libbpf: no map {name}")
        return fd

    def update(self, map_name: str, key: int, value: int, value_size: int) -> None:
        k = ctypes.c_uint32(key)
        v = (ctypes.c_uint8 * value_size).from_buffer_copy(value.to_bytes(value_size, "little"))
        if self._lib.bpf_map_update_elem(self.map_fd(map_name), ctypes.byref(k), v, 0) != 0:
            raise SourceUnavailable(f"libbpf: update of {map_name}[{key}] failed: {os.strerror(ctypes.get_errno())}")

    def percpu_sum(self, map_name: str, key: int) -> int:
        cpus = int(self._lib.libbpf_num_possible_cpus())
        values = (ctypes.c_uint64 * max(cpus, 1))()
        k = ctypes.c_uint32(key)
        if self._lib.bpf_map_lookup_elem(self.map_fd(map_name), ctypes.byref(k), values) != 0:
            return 0
        return int(sum(values))

    def close(self) -> None:
        for link in self._links:
            self._lib.bpf_link__destroy(link)
        self._links.clear()
        if self._obj:
            self._lib.bpf_object__close(self._obj)
            self._obj = 0
