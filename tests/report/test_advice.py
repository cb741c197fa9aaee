"""Rebuild and base-image advice, computed from a report's packages and findings."""

from __future__ import annotations

import dataclasses
import json
from io import StringIO

from hullguard.model import PackageType, Severity, Vulnerability
from hullguard.report import json as json_writer
from hullguard.report.advice import base_advice, rebuild_advice
from tests.report.factories import make_package, make_report


def vuln(name: str, kind: PackageType, fixed: str | None, base: bool | None) -> Vulnerability:
    return Vulnerability(
        id=f"CVE-2024-{abs(hash(name)) % 10000:04d}", severity=Severity.HIGH, title="t",
        package=make_package(name=name, type=kind), fixed_version=fixed, in_base_image=base,
    )


FINDINGS = (
    vuln("zlib1g", PackageType.DEB, "1:1.2.13.dfsg-1+deb12u1", True),
    vuln("libc6", PackageType.DEB, "2.36-9+deb12u9", True),
    vuln("curl", PackageType.DEB, "7.88.1-10+deb12u8", False),
    vuln("perl-base", PackageType.DEB, None, True),
    vuln("Jinja2", PackageType.PYPI, "3.1.4", False),
)


def test_rebuild_advice_splits_by_what_fixes_it() -> None:
    advice = rebuild_advice(make_report(findings=FINDINGS))
    assert advice is not None
    assert (advice.total, len(advice.by_rebuild), advice.in_base_image) == (5, 3, 2)
    assert [v.package.name for v in advice.by_dependency_change] == ["Jinja2"]
    assert [v.package.name for v in advice.unfixed] == ["perl-base"]
    assert advice.summary() == (
        "rebuild fixes 3 of 5; 2 of them by pulling the base image again; 1 need a dependency change; "
        "1 have no fix yet"
    )
    assert rebuild_advice(make_report(findings=())) is None


def test_base_advice_counts_what_each_alternative_removes() -> None:
    report = make_report(findings=FINDINGS)
    extra = tuple(make_package(name=n) for n in ("gcc-12", "cpp-12", "libssl3", "openssl"))
    report = dataclasses.replace(report, packages=(*(report.packages or ()), *extra))
    advice = base_advice(report)
    assert advice is not None and advice.os == "debian 12" and advice.runtime == "python"
    by_image = {a.image: a for a in advice.alternatives}
    # distroless python keeps libc6, libgcc-s1, zlib1g and libssl3/openssl; drops the compilers
    distroless = by_image["gcr.io/distroless/python3-debian12"]
    assert distroless.removes_packages == 2
    assert "node:22-bookworm-slim" not in by_image  # another runtime
    slim = by_image["python:3.12-slim-bookworm"]
    assert slim.removes_packages == 3  # gcc-12, cpp-12, openssl: not in slim; libssl3 is
    assert slim.removes_vulnerabilities == 1  # curl's


def test_json_report_carries_the_advice() -> None:
    out = StringIO()
    json_writer.write(make_report(findings=FINDINGS), out)
    doc = json.loads(out.getvalue())
    assert doc["advice"]["rebuild"]["fixed_by_rebuild"] == 3
    assert doc["advice"]["base_image"]["as_of"] == "2026-12-01"


def test_table_shows_the_advice() -> None:
    from hullguard.report import table

    report = make_report(findings=FINDINGS)
    extra = tuple(make_package(name=n) for n in ("gcc-12", "cpp-12"))
    report = dataclasses.replace(report, packages=(*(report.packages or ()), *extra))
    out = StringIO()
    table.write(report, out)
    text = out.getvalue()
    assert "Rebuild: rebuild fixes 3 of 5" in text
    assert "Smaller base: gcr.io/distroless/python3-debian12 (distroless) would remove 2 OS packages of 5" in text


def test_the_base_line_says_when_the_image_was_built_and_its_end_of_life() -> None:
    from hullguard.report import table

    report = make_report(findings=FINDINGS)
    report = dataclasses.replace(report, artifact=dataclasses.replace(report.artifact, created="2026-01-02T03:04:05Z"))
    doc = json.loads(_json(report))
    assert doc["advice"]["base_image"]["image_built"] == "2026-01-02T03:04:05Z"
    assert doc["advice"]["base_image"]["end_of_life"] is False
    out = StringIO()
    table.write(report, out)
    assert "Base: debian 12, image built 2026-01-02 (" in out.getvalue()


def _json(report: object) -> str:
    out = StringIO()
    json_writer.write(report, out)  # type: ignore[arg-type]
    return out.getvalue()
