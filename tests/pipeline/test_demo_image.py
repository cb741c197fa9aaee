"""End to end on the real demo image: sources agree, layers are attributed, dpkg matches dpkg-query."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from hullguard.model import PackageType
from hullguard.pipeline import FsTarget, ImageTarget, SbomTarget, ScanOptions, scan
from tests.conftest import require
from tests.support.images import BuiltImage

pytestmark = pytest.mark.integration
OPTIONS = ScanOptions(scanners=frozenset())


def _dpkg_set(packages: tuple) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(p.name, p.version) for p in packages if p.type is PackageType.DEB}


def test_docker_archive_and_oci_layout_give_the_same_inventory(demo_image: BuiltImage) -> None:
    from_archive = scan(ImageTarget(ref=str(demo_image.archive)), OPTIONS)
    from_oci = scan(ImageTarget(ref=demo_image.oci_ref), OPTIONS)
    assert from_archive.packages == from_oci.packages
    assert from_archive.artifact.layers == from_oci.artifact.layers
    assert len(from_archive.artifact.layers) == 4
    assert from_archive.artifact.os is not None
    assert from_archive.artifact.os.family == "debian"
    assert from_archive.artifact.os.version.startswith("12.")  # point release from etc/debian_version
    assert from_archive.artifact.os.eol is False
    assert not from_archive.issues


def test_dpkg_inventory_equals_dpkg_query(demo_image: BuiltImage, tmp_path: Path) -> None:
    require(shutil.which("dpkg-query") is not None, "dpkg-query not installed")
    report = scan(ImageTarget(ref=str(demo_image.archive)), OPTIONS)
    base = report.artifact.layers[0]
    debs = [p for p in report.packages or () if p.type is PackageType.DEB]
    assert debs and all(p.layer == base for p in debs)
    # Unpack only the dpkg database of the first layer and ask dpkg itself.
    with tarfile.open(demo_image.oci_dir.parent / "image.tar") as outer:
        names = [m for m in outer.getmembers() if m.name.endswith(".tar")]
        first = max(names, key=lambda m: m.size)
        inner = outer.extractfile(first)
        assert inner is not None
        with tarfile.open(fileobj=inner, mode="r|") as layer:
            for member in layer:
                if member.name.lstrip("./").startswith("var/lib/dpkg/") and (
                    member.isfile() or member.isdir()
                ):
                    layer.extract(member, tmp_path, filter="data")
    out = subprocess.run(
        [
            "dpkg-query",
            "-W",
            "-f=${Package}\\t${Version}\\t${db:Status-Abbrev}\\n",
            f"--admindir={tmp_path}/var/lib/dpkg",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    expected = {
        tuple(line.split("\t")[:2]) for line in out.splitlines() if line.split("\t")[2].startswith("ii")
    }
    assert _dpkg_set(report.packages or ()) == expected
    assert len(expected) > 80


def test_unpacked_root_filesystem_matches_image(demo_image: BuiltImage, tmp_path: Path) -> None:
    from tests.support.images import bookworm_rootfs

    fs_report = scan(FsTarget(path=bookworm_rootfs()), OPTIONS)
    image_report = scan(ImageTarget(ref=str(demo_image.archive)), OPTIONS)
    assert _dpkg_set(fs_report.packages or ()) == _dpkg_set(image_report.packages or ())
    assert fs_report.artifact.os == image_report.artifact.os


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx-json"])
def test_own_sbom_round_trip_gives_the_same_vulnerabilities(
    demo_image: BuiltImage, tmp_path: Path, fmt: str
) -> None:
    """An SBOM hullguard writes keeps what matching needs (source packages, OS release), so
    scanning it finds exactly what scanning the image found."""
    from hullguard.report import writer_for

    vuln_only = ScanOptions(scanners=frozenset({"vuln"}), cache_dir=tmp_path / "cache")
    image_report = scan(ImageTarget(ref=str(demo_image.archive)), vuln_only)
    sbom = tmp_path / f"demo.{fmt}.json"
    with sbom.open("w") as out:
        writer_for(fmt)(image_report, out)
    sbom_report = scan(SbomTarget(path=sbom), vuln_only)

    def found(report: object) -> set[tuple[str, str, str]]:
        return {(f.id, f.package.name.lower(), f.package.version) for f in report.findings}  # type: ignore[attr-defined]

    assert found(image_report)
    assert found(sbom_report) == found(image_report)
