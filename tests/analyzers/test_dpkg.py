"""dpkg analyzer: the status file, distroless status.d, and records that must be dropped."""

from __future__ import annotations

from pathlib import Path

from hullguard.analyzers.dpkg import DpkgAnalyzer
from hullguard.analyzers.run import analyze_tree
from hullguard.sources.rootfs import DirTree

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "analyzers" / "dpkg"


def _status(tmp_path: Path, text: str) -> Path:
    status = tmp_path / "var/lib/dpkg/status"
    status.parent.mkdir(parents=True)
    status.write_text(text)
    return tmp_path


def test_distroless_status_d() -> None:
    inventory, issues = analyze_tree(DirTree(FIXTURES / "distroless-static"), (DpkgAnalyzer(),))
    assert issues == ()
    assert {p.name: p.licenses for p in inventory.packages} == {
        "base-files": ("GPL-2.0-only",),  # free-form: only the common-licenses reference is trusted
        "netbase": ("GPL-2.0-only",),
        "tzdata": ("public-domain", "GPL-2.0-or-later OR Artistic-2.0"),
        "libssl3": ("Apache-2.0", "MIT"),
    }
    got = {(p.name, p.version, p.arch, p.source_name, p.source_version, p.path) for p in inventory.packages}
    d = "var/lib/dpkg/status.d/"
    assert got == {
        ("base-files", "12.4+deb12u5", "amd64", "base-files", "12.4+deb12u5", d + "base-files"),
        ("netbase", "6.4", "all", "netbase", "6.4", d + "netbase"),
        ("tzdata", "2024a-0+deb12u1", "all", "tzdata", "2024a-0+deb12u1", d + "tzdata"),
        ("libssl3", "3.0.11-1~deb12u2", "amd64", "openssl", "3.0.11-1~deb12u2", d + "libssl3"),
    }


def test_not_installed_and_invalid_records_are_dropped(tmp_path: Path) -> None:
    root = _status(
        tmp_path,
        "Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0-1\n\n"
        "Package: half\nStatus: install ok half-installed\nVersion: 1.0-1\n\n"
        "Package: bad\nStatus: install ok installed\nVersion: 1:x.y#\n\n"
        "Package: ok\nStatus: install ok installed\nVersion: 2:1.2~rc1+dfsg-3ubuntu0.1\n"
        "Source: okay-src (1.2~rc1+dfsg-3)\n",
    )
    inventory, issues = analyze_tree(DirTree(root), (DpkgAnalyzer(),))
    assert [(p.name, p.version, p.source_name, p.source_version) for p in inventory.packages] == [
        ("ok", "2:1.2~rc1+dfsg-3ubuntu0.1", "okay-src", "1.2~rc1+dfsg-3")
    ]
    assert [i.message for i in issues] == ["package bad: '1:x.y#' is not a valid Debian version; skipped"]


def test_licences_follow_a_symlinked_doc_folder(tmp_path: Path) -> None:
    root = _status(tmp_path, "Package: libgcc-s1\nStatus: install ok installed\nVersion: 12.2.0-14\n")
    doc = tmp_path / "usr/share/doc"
    (doc / "gcc-12-base").mkdir(parents=True)
    (doc / "gcc-12-base/copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
        "Files: *\nCopyright: FSF\nLicense: GPL-3+ with GCC-exception-3.1\n"
    )
    (doc / "libgcc-s1").symlink_to("gcc-12-base")
    inventory, _ = analyze_tree(DirTree(root), (DpkgAnalyzer(),))
    assert inventory.packages[0].licenses == ("GPL-3.0-or-later WITH GCC-exception-3.1",)
