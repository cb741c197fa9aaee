"""../shared/conformance/pkgdb: every case whose input exists gives exactly the expected packages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hullguard.analyzers import ANALYZERS
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.licenses import normalize
from hullguard.analyzers.rpm import RpmAnalyzer
from hullguard.analyzers.run import analyze_tree
from hullguard.model import Package
from hullguard.sources.rootfs import DirTree
from tests.conftest import SHARED

PKGDB = SHARED / "conformance" / "pkgdb"
_IN_IMAGE = ("var/lib/dpkg/", "lib/apk/db/")
_RPM_PATHS = {"rpmdb.sqlite": "var/lib/rpm/rpmdb.sqlite", "Packages.db": "var/lib/rpm/Packages.db"}


def _all_cases() -> dict[str, dict[str, Any]]:
    index = PKGDB / "name_version_pairs.json"
    return json.loads(index.read_text())["cases"] if index.is_file() else {}  # type: ignore[no-any-return]


def _cases() -> list[tuple[str, dict[str, Any]]]:
    """The cases whose input is present; absent inputs are checked once, below."""
    present = [(n, c) for n, c in _all_cases().items() if (PKGDB / c["input"]).is_file()]
    return present or [("pkgdb conformance data absent", {})]


def read_packages(input_path: Path) -> list[Package]:
    """The packages of one conformance input, read as they would be inside an image."""
    text = str(input_path)
    for marker in _IN_IMAGE:
        if marker in text:
            root = Path(text[: text.index(marker)])
            inventory, _ = analyze_tree(DirTree(root), ANALYZERS)
            return list(inventory.packages)
    # rpm databases sit outside an image layout here: read them as if at their real path.
    in_image = _RPM_PATHS.get(input_path.name, "var/lib/rpm/Packages")
    file = FileInput(path=in_image, layer=None, size=0, read_bytes=input_path.read_bytes)
    ctx = AnalysisContext(tree=DirTree(input_path.parent))
    return list(RpmAnalyzer().analyze(file, ctx).packages)


def _key(p: Package, with_arch: bool) -> tuple[str, ...]:
    return (p.name, p.version, p.arch or "") if with_arch else (p.name, p.version)


@pytest.mark.conformance
@pytest.mark.parametrize(("name", "case"), _cases(), ids=[n for n, _ in _cases()])
def test_pkgdb_case(name: str, case: dict[str, Any], shared_dir: Path) -> None:
    input_path = PKGDB / case["input"]
    packages = read_packages(input_path)
    if "packages" in case:
        expected = [tuple(row) for row in case["packages"]]
        with_arch = len(expected[0]) == 3
        got = [_key(p, with_arch) for p in packages]
        assert sorted(got) == sorted(expected), name
    else:
        wanted = tuple(case["contains_package"])
        assert wanted in {_key(p, True) for p in packages}, name


@pytest.mark.conformance
def test_only_inputs_marked_missing_are_absent(shared_dir: Path) -> None:
    cases = _all_cases()
    absent = {n for n, c in cases.items() if not (PKGDB / c["input"]).is_file()}
    assert absent == {n for n, c in cases.items() if c.get("input_extracted") is False}
    assert len(cases) - len(absent) == 11


@pytest.mark.conformance
def test_sle15_ndb_keeps_database_order_and_fields(shared_dir: Path) -> None:
    suite = _suite("go-rpmdb")
    case = next(c for c in suite["list_cases"] if c["input"].endswith("sle15-bci/Packages.db"))
    packages = read_packages(PKGDB / case["input"])
    assert [p.name for p in packages] == [e["Name"] for e in case["expected_packages"]]
    for package, expected in zip(packages, case["expected_packages"], strict=True):
        assert package.licenses == ((normalize(expected["License"]),) if expected["License"] else ())
        assert f"{package.source_name}-{package.source_version}.src.rpm" == expected["SourceRpm"]
        assert package.modularity_label == (expected["Modularitylabel"] or None)


@pytest.mark.conformance
def test_single_rpm_packages_fields(shared_dir: Path) -> None:
    singles = _suite("go-rpmdb")["single_package_cases"]
    present = [c for c in singles if (PKGDB / c["input"]).is_file()]
    assert len(present) >= 2
    for case in present:
        expected = case["expected_package"]
        found = {p.name: p for p in read_packages(PKGDB / case["input"])}[expected["Name"]]
        assert f"{found.source_name}-{found.source_version}.src.rpm" == expected["SourceRpm"]
        assert found.licenses == (normalize(expected["License"]),)


@pytest.mark.conformance
def test_apk_and_dpkg_source_packages(shared_dir: Path) -> None:
    for suite_id in ("trivy-apk", "trivy-dpkg"):
        for case in _suite(suite_id)["cases"]:
            inputs = case.get("input_files") or [case["input"]]
            expected = _expected_packages(case)
            got = {p.name: p for p in read_packages(PKGDB / inputs[0])}
            for e in expected:
                package = got[e["Name"]]
                assert (package.source_name, package.arch) == (e["SrcName"], e.get("Arch")), e["Name"]


def _suite(suite_id: str) -> dict[str, Any]:
    suites = json.loads((PKGDB / "expected.json").read_text())["suites"]
    return next(s for s in suites if s["id"] == suite_id)  # type: ignore[no-any-return]


def _expected_packages(case: dict[str, Any]) -> list[dict[str, Any]]:
    if "expected_packages" in case:
        return case["expected_packages"]  # type: ignore[no-any-return]
    return [p for info in case["expected_package_infos"] for p in info["Packages"]]


# Where hullguard deliberately differs from Trivy's licence names for apk (see licenses.py):
# bare GPL and BSD name no single licence, and an SPDX expression stays one expression.
APK_LICENCE_DIFFERENCES = {
    "alpine-keys": ("GPL",),
    "libc-utils": ("GPL",),
    "musl-utils": ("MIT", "BSD", "GPL-2.0-or-later"),
    "ada-libs": ("(Apache-2.0 OR MIT) AND MPL-2.0",),
}


@pytest.mark.conformance
def test_apk_licences_agree_with_trivy_except_documented(shared_dir: Path) -> None:
    case = _suite("trivy-apk")["cases"][0]
    got = {p.name: p.licenses for p in read_packages(PKGDB / case["input"])}
    for expected in case["expected_packages"]:
        name = expected["Name"]
        assert got[name] == APK_LICENCE_DIFFERENCES.get(name, tuple(expected["Licenses"])), name
