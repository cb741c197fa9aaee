"""Language packages in the real demo image: found with the layer that added them, whiteouts honoured."""

from __future__ import annotations

import pytest

from hullguard.model import PackageType
from hullguard.pipeline import ImageTarget, ScanOptions, scan
from tests.support.images import BuiltImage

pytestmark = pytest.mark.integration


def test_pip_and_npm_packages_with_their_layer_and_six_deleted(demo_image: BuiltImage) -> None:
    report = scan(ImageTarget(ref=str(demo_image.archive)), ScanOptions(scanners=frozenset()))
    base, added = report.artifact.layers[:2]  # then one layer per whiteout
    packages = report.packages or ()
    pypi = {(p.name, p.version): p for p in packages if p.type is PackageType.PYPI}
    npm = {(p.name, p.version): p for p in packages if p.type is PackageType.NPM}
    assert set(pypi) == {
        ("requests", "2.25.0"),
        ("urllib3", "1.26.4"),
        ("Jinja2", "2.11.2"),
        ("MarkupSafe", "2.1.2"),
    }
    assert set(npm) == {("lodash", "4.17.20"), ("minimist", "1.2.5")}
    assert all(p.layer == added for p in (*pypi.values(), *npm.values()))
    assert base != added
    assert not any(p.name == "six" for p in packages)  # removed by the whiteout layer
    assert (
        pypi[("requests", "2.25.0")].path
        == "usr/local/lib/python3.11/site-packages/requests-2.25.0.dist-info/METADATA"
    )
    assert pypi[("requests", "2.25.0")].purl == "pkg:pypi/requests@2.25.0"
    assert npm[("lodash", "4.17.20")].path == "app/node_modules/lodash/package.json"
    assert not report.issues
