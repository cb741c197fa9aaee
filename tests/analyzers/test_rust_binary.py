"""cargo-auditable dependency data in `.dep-v0`, from a real rustc-built binary and by layout."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.rust_binary import RustBinaryAnalyzer
from hullguard.model import Digest, Package, PackageType
from hullguard.pipeline import FsTarget, ScanOptions, scan
from hullguard.sources.rootfs import DirTree
from tests.analyzers.elf_builder import build_elf
from tests.conftest import require
from tests.support import binaries

LAYER = Digest("sha256:" + "d" * 64)
AUDIT = {
    "format": 1,
    "packages": [
        {"name": "cc", "version": "1.0.83", "source": "crates.io", "kind": "build"},
        {"name": "hello", "version": "0.1.0", "source": "local", "dependencies": [0, 2, 3], "root": True},
        {"name": "serde", "version": "1.0.190", "source": "crates.io", "dependencies": [3]},
        {"name": "libc", "version": "0.2.149", "source": "crates.io"},
    ],
}


def _analyze(data: bytes) -> tuple[Package, ...]:
    file = FileInput(path="usr/local/bin/hello", layer=LAYER, size=len(data), read_bytes=lambda: data)
    packages = RustBinaryAnalyzer().analyze(file, AnalysisContext(tree=DirTree(Path("/tmp")))).packages
    assert all(p.type is PackageType.CARGO and p.layer == LAYER for p in packages)
    return packages


@pytest.fixture(scope="module")
def hello() -> Path:
    require(binaries.rustc_available(), "rustc is not installed")
    return binaries.rust_auditable(json.dumps(AUDIT))


def test_real_binary_runtime_crates_with_their_dependencies(hello: Path) -> None:
    packages = {p.name: p for p in _analyze(hello.read_bytes())}
    assert {(p.name, p.version) for p in packages.values()} == {
        ("hello", "0.1.0"),
        ("serde", "1.0.190"),
        ("libc", "0.2.149"),
    }  # cc is a build dependency: not linked in
    assert packages["hello"].dependencies == ("serde", "libc")
    assert packages["serde"].dependencies == ("libc",)


def test_fs_scan_gives_cargo_purls(hello: Path, tmp_path: Path) -> None:
    (tmp_path / "usr/local/bin").mkdir(parents=True)
    (tmp_path / "usr/local/bin/hello").write_bytes(hello.read_bytes())
    (tmp_path / "usr/local/bin/hello").chmod(0o755)
    report = scan(FsTarget(path=tmp_path), ScanOptions(scanners=frozenset()))
    assert {p.purl for p in report.packages or ()} == {
        "pkg:cargo/hello@0.1.0",
        "pkg:cargo/serde@1.0.190",
        "pkg:cargo/libc@0.2.149",
    }


def test_32_bit_big_endian_layout() -> None:
    data, _ = build_elf(
        [(".text", b"\0" * 8), (".dep-v0", zlib.compress(json.dumps(AUDIT).encode()))], wide=False, big=True
    )
    assert {p.name for p in _analyze(data)} == {"hello", "serde", "libc"}


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (b"not zlib at all", "not zlib"),
        (zlib.compress(b"[1, 2]"), "packages"),
        (
            zlib.compress(b'{"packages": [{"name": "x", "version": "1", "dependencies": [7]}]}'),
            "out of range",
        ),
        (zlib.compress(b'{"packages": [{"name": "x"}]}'), "lacks a string"),
        (zlib.compress(b"[" * 200_000 + b"]" * 200_000), "nested too deeply"),
    ],
)
def test_bad_sections_raise_with_a_reason(section: bytes, message: str) -> None:
    data, _ = build_elf([(".dep-v0", section)])
    with pytest.raises(ValueError, match=message):
        _analyze(data)


def test_binaries_without_the_section_give_nothing() -> None:
    data, _ = build_elf([(".text", b"\x90" * 16)])
    assert _analyze(data) == ()
    assert _analyze(b"#!/bin/sh\n") == ()
