"""The CycloneDX writer builds its JSON itself: byte for byte what cyclonedx-python-lib writes
for the same BOM (tests/report/cyclonedx_library.py), on reports made to hit every rule the
library applies (sorting, absent values, duplicates, vectors, escapes), and on the demo image."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hullguard.model import Digest, Location, Package, PackageType, Report, Severity, Vulnerability, VulnId
from hullguard.pipeline import ImageTarget, ScanOptions, scan
from hullguard.report.cyclonedx_json import to_json
from tests.report.cyclonedx_library import to_json as library_json
from tests.report.factories import make_package, make_report
from tests.support.images import BuiltImage

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _vuln(package: Package, ident: str, **fields: object) -> Vulnerability:
    return Vulnerability(id=VulnId(ident), severity=fields.pop("severity", Severity.HIGH), title="t",  # type: ignore[arg-type]
                         package=package, location=Location(layer=package.layer), **fields)  # type: ignore[arg-type]


def _edge_cases() -> list[Report]:
    maven = make_package(type=PackageType.MAVEN, name="org.example:core", version="1.0",
                         purl="pkg:maven/org.example/core@1.0", licenses=("GPL", "MIT", "MIT", "Apache-2.0"))
    same_name = make_package(type=PackageType.NPM, name="core", version="1.0", purl="pkg:npm/core@1.0",
                             path="app/a/package.json")
    twin = make_package(type=PackageType.NPM, name="core", version="1.0", purl="pkg:npm/core@1.0",
                        path="app/b/package.json", dependencies=("core", "missing"))
    no_purl = make_package(type=PackageType.GOLANG, name="stdlib", version="", purl=None, licenses=("weird licence",))
    hostile = make_package(type=PackageType.PYPI, name="ünï\x1b[31m\u202e", version="1.0",
                           purl="pkg:pypi/evil@1.0", source_name="\x07")
    findings = (
        _vuln(maven, "CVE-2024-0002", cvss_score=9.8, cvss_vector="CVSS:4.0/AV:N/AC:L",
              references=("https://b.example", "https://a.example", "https://a.example"), aliases=("GHSA-2", "GHSA-1")),
        _vuln(maven, "CVE-2024-0001", cvss_score=7.0, cvss_vector="AV:N/AC:L/Au:N/C:P/I:P/A:P", fixed_version="2.0"),
        _vuln(twin, "CVE-2024-0003", severity=Severity.UNKNOWN, cvss_vector="CVSS:3.0/AV:N"),
        _vuln(no_purl, "GO-2024-1", severity=Severity.LOW),
        _vuln(hostile, "PYSEC-1", severity=Severity.MEDIUM, cvss_score=5.0),
    )
    base = make_report()
    edge = make_report(packages=(maven, same_name, twin, no_purl, hostile, *(base.packages or ())), findings=findings)
    no_os = make_report(artifact=make_report().artifact.__class__(name="dir", type=base.artifact.type.__class__("filesystem")))
    empty = make_report(packages=(), findings=(), artifact=no_os.artifact)
    layered = make_report(artifact=base.artifact.__class__(name="img", type=base.artifact.type, layers=(Digest("sha256:" + "3" * 64),)))
    return [base, edge, no_os, empty, layered]


@pytest.mark.parametrize("index", range(5))
def test_equal_to_the_library(index: int) -> None:
    report = _edge_cases()[index]
    assert to_json(report, created=CREATED) == library_json(report, created=CREATED)


@pytest.mark.integration
def test_equal_to_the_library_on_the_demo_image(demo_image: BuiltImage, tmp_path: Path) -> None:
    report = scan(ImageTarget(ref=str(demo_image.archive)), ScanOptions(scanners=frozenset({"vuln"}), cache_dir=tmp_path))
    assert report.packages and report.findings
    assert to_json(report, created=CREATED) == library_json(report, created=CREATED)
