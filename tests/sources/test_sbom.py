"""SBOM input: Trivy's CycloneDX and SPDX of the demo image list the same packages our own
image scan finds; Syft's shape (upstream qualifier, distro component) reads too; the vuln scan
of an SBOM reports the bundled advisories whose ranges hold each package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from packaging.version import Version

from hullguard.cli.main import main
from hullguard.model import PackageType
from hullguard.pipeline import ImageTarget, SbomTarget, ScanOptions, scan
from hullguard.sources.sbom import read_sbom
from hullguard.vulndb.bundled import bundled_dir
from tests.support.images import BuiltImage

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures/sbom"


@pytest.mark.parametrize("name", ["trivy-demo.cdx.json", "trivy-demo.spdx.json"])
def test_trivy_sboms_read_fully(name: str) -> None:
    sbom = read_sbom(FIXTURES / name)
    inv = sbom.inventory
    assert inv.os is not None and (inv.os.family, inv.os.version) == ("debian", "12.15")
    debs = {p.name: p for p in inv.packages if p.type is PackageType.DEB}
    assert len(debs) == 88 and not sbom.issues
    assert (debs["libc6"].source_name, debs["libc6"].source_version) == ("glibc", "2.36-9+deb12u14")
    assert debs["login"].version == "1:4.13+dfsg1-1+deb12u2"
    assert debs["libc6"].layer == "sha256:3998e57643140d661aeee88235e0f362d41397d451a870dd87c6d9dc75a74aff"
    langs = {(p.type, p.name.lower(), p.version) for p in inv.packages if not p.type.is_os}
    assert {(PackageType.PYPI, "urllib3", "1.26.4"), (PackageType.NPM, "minimist", "1.2.5")} <= langs


@pytest.mark.integration
def test_trivy_sbom_agrees_with_our_image_inventory(demo_image: BuiltImage) -> None:
    ours = scan(ImageTarget(ref=str(demo_image.archive)), ScanOptions(scanners=frozenset()))
    mine = {(p.name, p.version, p.source_name) for p in ours.packages or () if p.type is PackageType.DEB}
    for name in ("trivy-demo.cdx.json", "trivy-demo.spdx.json"):
        theirs = read_sbom(FIXTURES / name).inventory.packages
        assert {(p.name, p.version, p.source_name) for p in theirs if p.type is PackageType.DEB} == mine


def test_syft_shaped_sbom() -> None:
    inv = read_sbom(FIXTURES / "syft-shaped.cdx.json").inventory
    assert inv.os is not None and inv.os.version == "12"
    perl = next(p for p in inv.packages if p.name == "perl-base")
    assert (perl.source_name, perl.version) == ("perl", "5.36.0-7+deb12u3")
    spdx = read_sbom(FIXTURES / "syft-shaped.spdx.json").inventory
    assert spdx.os is not None and (spdx.os.family, spdx.os.version) == ("debian", "12")
    names = {p.name: p for p in spdx.packages}
    assert names["libstdc++6"].source_name == "gcc-12" and names["coreutils"].source_name == "coreutils"


def test_syft_shaped_spdx_scan(tmp_path: Path) -> None:
    report = scan(
        SbomTarget(path=FIXTURES / "syft-shaped.spdx.json"),
        ScanOptions(scanners=frozenset({"vuln"}), cache_dir=tmp_path),
    )
    assert {(f.package.name, f.id) for f in report.findings} == {
        ("coreutils", "CVE-2016-2781"),
        ("coreutils", "CVE-2017-18018"),
        ("libstdc++6", "CVE-2022-27943"),
        ("lodash", "CVE-2021-23337"),
        ("lodash", "CVE-2020-28500"),
    }


def _bundled_expectation(name: str, version: str, ecosystem: str) -> set[str]:
    """From the bundled records, with `packaging` for PyPI and integer tuples for npm."""

    def parse(text: str) -> object:
        return Version(text) if ecosystem == "PyPI" else tuple(int(x) for x in text.split("."))

    out = set()
    for path in (bundled_dir() / ecosystem).glob("*.json"):
        record = json.loads(path.read_text())
        for affected in record["affected"]:
            if affected["package"]["name"].lower() != name.lower():
                continue
            state = False
            for event in affected["ranges"][0]["events"]:  # written in ascending order
                [(kind, bound)] = event.items()
                if kind == "introduced" and (bound == "0" or parse(version) >= parse(bound)):
                    state = True
                elif kind == "fixed" and parse(version) >= parse(bound):
                    state = False
            if state:
                out.add(record["aliases"][0])
    return out


def test_sbom_vuln_scan_reports_exactly_the_bundled_advisories(tmp_path: Path) -> None:
    report = scan(
        SbomTarget(path=FIXTURES / "trivy-demo.cdx.json"),
        ScanOptions(scanners=frozenset({"vuln"}), cache_dir=tmp_path),
    )
    pins = {
        ("urllib3", "PyPI"): "1.26.4",
        ("requests", "PyPI"): "2.25.0",
        ("Jinja2", "PyPI"): "2.11.2",
        ("lodash", "npm"): "4.17.20",
        ("minimist", "npm"): "1.2.5",
    }
    for (name, ecosystem), version in pins.items():
        found = {f.id for f in report.findings if f.package.name.lower() == name.lower()}
        assert found == _bundled_expectation(name, version, ecosystem), name
        assert found
    # Jinja2 2.11.2 predates the 3.0 compiler bug: GHSA-gmj6-6f8f-6699 must not be reported.
    assert "CVE-2024-56201" not in {f.id for f in report.findings}


def test_bad_sbom_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"bomFormat": "CycloneDX",\n "components": [1,]}')
    assert main(["sbom", str(bad), "--cache-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2:" in err and "not valid JSON" in err and "Traceback" not in err
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    assert main(["sbom", str(other), "--cache-dir", str(tmp_path)]) == 2
    assert "CycloneDX" in capsys.readouterr().err
