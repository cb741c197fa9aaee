"""Go build info from real binaries (Debian's and one built here) and from the pre-1.18 layout."""

from __future__ import annotations

import contextlib
import shutil
import struct
from pathlib import Path

import pytest

from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.go_binary import GoBinaryAnalyzer, packages
from hullguard.analyzers.go_buildinfo import parse_modinfo, read_build_info
from hullguard.model import Digest, PackageType
from hullguard.pipeline import FsTarget, ScanOptions, scan
from hullguard.sources.rootfs import DirTree
from tests.analyzers.elf_builder import old_go_binary
from tests.conftest import require
from tests.support import binaries

LAYER = Digest("sha256:" + "c" * 64)


def _analyze(data: bytes, path: str = "usr/bin/tool") -> set[tuple[str, str]]:
    file = FileInput(path=path, layer=LAYER, size=len(data), read_bytes=lambda: data)
    inventory = GoBinaryAnalyzer().analyze(file, AnalysisContext(tree=DirTree(Path("/tmp"))))
    assert all(
        p.type is PackageType.GOLANG and p.layer == LAYER and p.path == path for p in inventory.packages
    )
    return {(p.name, p.version) for p in inventory.packages}


@pytest.fixture(scope="module")
def hello() -> Path:
    require(binaries.go_available(), "go is not installed (scripts/setup installs golang-go)")
    return binaries.go_hello()


def _go_version() -> str:
    return "v" + binaries.go_version().removeprefix("go")


def test_module_binary_reports_main_deps_replacements_and_stdlib(hello: Path) -> None:
    assert _analyze(hello.read_bytes()) == {
        ("example.com/hello", "v1.4.2"),  # stamped by -ldflags -X main.version
        ("example.com/greet", "v1.2.3"),
        ("example.com/new", "v1.1.0"),  # example.com/old => example.com/new v1.1.0
        ("example.com/local", "v0.0.0-00010101000000-000000000000"),  # => ./local keeps the required one
        ("stdlib", _go_version()),
    }


def test_binary_without_section_headers_is_found_by_magic(hello: Path) -> None:
    data = bytearray(hello.read_bytes())
    struct.pack_into("<Q", data, 0x28, 0)  # e_shoff
    struct.pack_into("<HHH", data, 0x3C, 0, 0, 0)  # e_shentsize... e_shnum, e_shstrndx
    assert _analyze(bytes(data)) == _analyze(hello.read_bytes())


def test_debian_gopath_binary_has_only_stdlib() -> None:
    umoci = Path("/usr/bin/umoci")
    require(umoci.is_file(), "umoci is not installed (scripts/setup)")
    info = read_build_info(umoci.read_bytes())
    assert info is not None and info.path == "github.com/opencontainers/umoci/cmd/umoci" and info.main is None
    [(name, version)] = _analyze(umoci.read_bytes())
    assert name == "stdlib" and version.startswith("v1.")


@pytest.mark.parametrize(("wide", "big"), [(True, False), (False, True)])
def test_pre_118_pointer_layout(wide: bool, big: bool) -> None:
    modinfo = (
        "path\texample.com/tool\nmod\texample.com/tool\tv0.3.0\th1:abc=\n"
        "dep\tgolang.org/x/text\tv0.3.2\th1:def=\n=>\tgolang.org/x/text\tv0.3.8\th1:ghi=\n"
        "dep\tgithub.com/pkg/errors\tv0.9.1\th1:jkl=\n"
    )
    data = old_go_binary("go1.16.15", modinfo, wide=wide, big=big)
    assert _analyze(data) == {
        ("example.com/tool", "v0.3.0"),
        ("golang.org/x/text", "v0.3.8"),
        ("github.com/pkg/errors", "v0.9.1"),
        ("stdlib", "v1.16.15"),
    }


def test_other_files_give_nothing() -> None:
    assert _analyze(b"#!/bin/sh\necho hi\n") == set()
    ls = Path("/bin/ls")
    if ls.is_file():
        assert _analyze(ls.read_bytes()) == set()


def test_truncated_build_info_raises() -> None:
    data = bytearray(old_go_binary("go1.20", "", wide=True))
    at = data.find(b"\xff Go buildinf:")
    data[at + 15] = 0x2  # claims the inline layout, then a length far past the end
    data[at + 32 : at + 37] = b"\xff\xff\xff\xff\x0f"
    with pytest.raises(ValueError, match="Go build info"):
        read_build_info(bytes(data))


def test_modinfo_lines() -> None:
    info = parse_modinfo(
        "go1.22.1 X:boringcrypto", "path\ta/cmd\nmod\ta\tv1.0.0\t\n=>\t../a\t\t\nbuild\tx=y\n"
    )
    assert info.main is not None and info.main.replace is not None and info.main.replace.path == "../a"


def test_fs_scan_has_purls_and_turns_a_broken_binary_into_an_issue(hello: Path, tmp_path: Path) -> None:
    (tmp_path / "usr/bin").mkdir(parents=True)
    shutil.copy2(hello, tmp_path / "usr/bin/hello")
    broken = bytearray(hello.read_bytes())
    at = broken.find(b"\xff Go buildinf:")
    broken[at + 32 : at + 37] = b"\xff\xff\xff\xff\x0f"
    (tmp_path / "usr/bin/broken").write_bytes(bytes(broken))
    (tmp_path / "usr/bin/broken").chmod(0o755)
    report = scan(FsTarget(path=tmp_path), ScanOptions(scanners=frozenset()))
    purls = {p.purl for p in report.packages or ()}
    assert "pkg:golang/example.com/greet@v1.2.3" in purls
    assert f"pkg:golang/stdlib@{_go_version()}" in purls
    [issue] = report.issues
    assert issue.path == "usr/bin/broken" and "go-binary" in issue.message


@pytest.mark.parametrize(
    ("ldflags", "expected"),
    [
        ('"-s -w -X main.version=1.2.3"', "v1.2.3"),
        ('"-X=github.com/x/y/internal/version.Version=v0.9.0-rc.1 -s"', "v0.9.0-rc.1"),
        ('"-X main.commit=abc123 -X main.ver=2.0.0"', "v2.0.0"),
        ('"-X main.version=dev"', "(devel)"),  # not a version: the main module stays (devel)
        ("-s", "(devel)"),
    ],
)
def test_main_module_version_from_ldflags(ldflags: str, expected: str) -> None:
    info = parse_modinfo("go1.21.0", f"path\ta/cmd\nmod\ta\t(devel)\t\nbuild\t-ldflags={ldflags}\n")
    file = FileInput(path="app", layer=LAYER, size=0, read_bytes=lambda: b"")
    [main] = [p for p in packages(info, file) if p.name == "a"]
    assert main.version == expected


def test_damaged_binaries_raise_only_value_errors(hello: Path) -> None:
    """What the scan turns into an issue: any other exception would end it."""
    import random

    rng = random.Random(7)
    data = hello.read_bytes()
    info_at = data.find(b"\xff Go buildinf:")
    regions = [(0, 64), (len(data) - 4096, len(data)), (info_at, info_at + 600)]
    for _ in range(300):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            lo, hi = rng.choice(regions)
            damaged[rng.randrange(lo, hi)] = rng.randrange(256)
        with contextlib.suppress(ValueError):
            read_build_info(bytes(damaged))
    for n in range(70):  # too short to hold the header: an error; long enough: no Go here
        with contextlib.suppress(ValueError):
            assert read_build_info(b"\x7fELF\x02\x01" + b"\0" * n) is None


def test_the_section_table_alone_decides_for_binaries_that_are_not_go(hello: Path) -> None:
    """Most executables of an image are not Go: their section table is read (three small
    reads), never the whole file. Found sections agree with the whole-file parser."""
    from hullguard.analyzers.elf import NO_TABLE, find_section, parse_elf

    def ranged(data: bytes) -> FileInput:
        def whole() -> bytes:
            raise AssertionError("read whole")

        return FileInput(path="usr/bin/ls", layer=LAYER, size=len(data), read_bytes=whole,
                         read_range=lambda offset, length: data[offset : offset + length])  # fmt: skip

    ls = Path("/bin/ls").read_bytes()
    assert GoBinaryAnalyzer().analyze(ranged(ls), AnalysisContext(tree=DirTree(Path("/tmp")))).packages == ()
    go = hello.read_bytes()
    found = find_section(lambda o, n: go[o : o + n], len(go), ".go.buildinfo")
    assert found == parse_elf(go).section(".go.buildinfo")
    assert find_section(lambda o, n: ls[o : o + n], len(ls), ".go.buildinfo") is None
    stripped = bytearray(go)
    struct.pack_into("<Q", stripped, 0x28, 0)
    struct.pack_into("<HHH", stripped, 0x3C, 0, 0, 0)
    assert find_section(lambda o, n: stripped[o : o + n], len(stripped), ".go.buildinfo") == NO_TABLE


def _ranged(data: bytes | bytearray, path: str = "usr/bin/big") -> FileInput:
    """A file readable only in parts, as the layer reader offers a large executable."""

    def whole() -> bytes:
        raise AssertionError("a large binary was read whole")

    return FileInput(path=path, layer=LAYER, size=len(data), read_bytes=whole,
                     read_range=lambda offset, length: bytes(data[offset : offset + length]))  # fmt: skip


def test_binaries_over_64_mib_are_read_in_parts(hello: Path, tmp_path: Path) -> None:
    """kubectl, terraform or k3s are 50 to 100+ MB: the analyzer reads the headers and the build
    info section, never the whole file; stripped of section headers, it scans in pieces."""
    padded = bytearray(hello.read_bytes()) + bytes(70 << 20)  # ELF ignores what follows
    ctx = AnalysisContext(tree=DirTree(Path("/tmp")))
    expected = _analyze(hello.read_bytes())
    found = GoBinaryAnalyzer().analyze(_ranged(padded), ctx).packages
    assert {(p.name, p.version) for p in found} == expected
    struct.pack_into("<Q", padded, 0x28, 0)  # e_shoff
    struct.pack_into("<HHH", padded, 0x3C, 0, 0, 0)
    found = GoBinaryAnalyzer().analyze(_ranged(padded), ctx).packages
    assert {(p.name, p.version) for p in found} == expected
    # and through a whole fs scan, where the spec's size limit used to pass it over
    (tmp_path / "opt").mkdir()
    (tmp_path / "opt/big").write_bytes(bytes(hello.read_bytes()) + bytes(70 << 20))
    (tmp_path / "opt/big").chmod(0o755)
    report = scan(FsTarget(path=tmp_path), ScanOptions(scanners=frozenset()))
    assert {(p.name, p.version) for p in report.packages or ()} == expected


def test_the_magic_is_found_across_scan_pieces() -> None:
    from hullguard.analyzers.go_binary import SCAN_CHUNK, _find_blob

    data = bytearray(SCAN_CHUNK + 4096)
    at = SCAN_CHUNK - 5  # the magic straddles the first piece's end
    data[at : at + 14] = b"\xff Go buildinf:"
    blob = _find_blob(_ranged(data))
    assert blob is not None and blob.startswith(b"\xff Go buildinf:") and len(blob) == len(data) - at
