"""An image whose rpm database was written by rpm in one layer and rewritten in the next."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from hullguard.model import PackageType
from hullguard.pipeline import ImageTarget, ScanOptions, scan
from tests.analyzers.test_rpm import HELLO, LABEL, TOOL
from tests.conftest import require
from tests.support import images, rpm

pytestmark = pytest.mark.integration
DBPATH = "usr/lib/sysimage/rpm"
OS_RELEASE = 'NAME="Rocky Linux"\nID="rocky"\nVERSION_ID="9.3"\nPRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"\n'


def _rpm_layer(*specs: tuple[str, tuple[str, ...]]) -> images.Layer:
    """A layer holding the rpm database (and files) after installing every package in `specs`."""

    def populate(dest: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="hg-rpm-") as tmp:
            built = [rpm.build_rpm(Path(tmp) / "build", spec, *defines) for spec, defines in specs]
            rpm.install(dest, DBPATH, *built)
        (dest / "etc").mkdir(exist_ok=True)
        (dest / "etc/os-release").write_text(OS_RELEASE)
        for leftover in (".rpm.lock", "rpmdb.sqlite-shm", "rpmdb.sqlite-wal"):
            (dest / DBPATH / leftover).unlink(missing_ok=True)

    names = [spec.splitlines()[0] for spec, _ in specs]
    return images.Layer(created_by=f"rpm -i {' '.join(names)}", populate=populate, key=repr(specs))


def test_rpm_image_inventory() -> None:
    missing = images.missing_tools() + rpm.missing_tools()
    require(not missing, f"tools missing: {', '.join(missing)} (run scripts/setup)")
    recipe = images.Recipe(
        name="rpm-two-layers",
        layers=(_rpm_layer((HELLO, ())), _rpm_layer((HELLO, ()), (TOOL, (f"modularitylabel {LABEL}",)))),
    )
    built = images.build(recipe)
    report = scan(ImageTarget(ref=str(built.archive)), ScanOptions(scanners=frozenset()))
    assert report.issues == ()
    assert report.artifact.os is not None and report.artifact.os.family == "rocky"
    rpms = {p.name: p for p in report.packages if p.type is PackageType.RPM}
    assert sorted(rpms) == ["hg-hello", "hg-tool"]
    assert rpms["hg-tool"].purl == (
        "pkg:rpm/rocky/hg-tool@0.9-1.module_el8%2B12?arch=x86_64&distro=rocky-9.3"
    )
    assert rpms["hg-tool"].modularity_label == LABEL
    # The second layer rewrote the database; each package still names the layer that added it.
    assert rpms["hg-hello"].layer == report.artifact.layers[0]
    assert rpms["hg-tool"].layer == report.artifact.layers[1]
    assert all(p.path == f"{DBPATH}/rpmdb.sqlite" for p in rpms.values())
    if shutil.which("skopeo"):
        oci = scan(ImageTarget(ref=built.oci_ref), ScanOptions(scanners=frozenset()))
        assert oci.packages == report.packages
