"""Go and Rust binaries inside a real image: found, attributed to their layer, in the SBOMs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from hullguard.analyzers.go_buildinfo import read_build_info
from hullguard.model import PackageType
from hullguard.pipeline import ImageTarget, ScanOptions, scan
from hullguard.report.cyclonedx_json import to_json
from tests.conftest import require
from tests.support import binaries, images

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def image() -> images.BuiltImage:
    missing = images.missing_tools()
    require(not missing, f"image build tools missing: {', '.join(missing)} (run scripts/setup)")
    require(binaries.go_available() and binaries.rustc_available(), "go or rustc missing (run scripts/setup)")
    return images.build(binaries.binaries_recipe())


def test_binaries_are_inventoried_with_their_layer(image: images.BuiltImage) -> None:
    report = scan(ImageTarget(ref=str(image.archive)), ScanOptions(scanners=frozenset()))
    top = report.artifact.layers[-1]
    found = {
        (p.type, p.name, p.version, p.path)
        for p in report.packages or ()
        if p.type in (PackageType.GOLANG, PackageType.CARGO)
    }
    go = "v" + binaries.go_version().removeprefix("go")
    umoci_info = read_build_info(Path("/usr/bin/umoci").read_bytes())
    assert umoci_info is not None
    umoci_go = "v" + umoci_info.go_version.removeprefix("go")
    assert found == {
        (PackageType.GOLANG, "example.com/hello", "v1.4.2", "usr/local/bin/hello-go"),
        (PackageType.GOLANG, "example.com/greet", "v1.2.3", "usr/local/bin/hello-go"),
        (PackageType.GOLANG, "example.com/new", "v1.1.0", "usr/local/bin/hello-go"),
        (
            PackageType.GOLANG,
            "example.com/local",
            "v0.0.0-00010101000000-000000000000",
            "usr/local/bin/hello-go",
        ),
        (PackageType.GOLANG, "stdlib", go, "usr/local/bin/hello-go"),
        (PackageType.GOLANG, "stdlib", umoci_go, "usr/local/bin/umoci"),
        (PackageType.CARGO, "hello", "0.1.0", "usr/local/bin/hello-rust"),
        (PackageType.CARGO, "serde", "1.0.190", "usr/local/bin/hello-rust"),
        (PackageType.CARGO, "libc", "0.2.149", "usr/local/bin/hello-rust"),
    }
    assert all(p.layer == top for p in report.packages or () if p.type is not PackageType.DEB)
    assert not report.issues
    doc = json.loads(to_json(report, created=datetime(2026, 1, 1, tzinfo=UTC)))
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(doc)) is None
    purls = {c.get("purl") for c in doc["components"]}
    assert {
        "pkg:golang/example.com/greet@v1.2.3",
        "pkg:cargo/serde@1.0.190",
        f"pkg:golang/stdlib@{go}",
    } <= purls
