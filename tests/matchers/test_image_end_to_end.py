"""Real advisories against a real image, end to end through the CLI.

The PyPA advisory database and AlmaLinux's OSV records from ../shared are imported with
`hullguard db import`; `hullguard image ... --format json` scans the AlmaLinux-9-shaped test
image (rpmbuild-built rpms in a real rpmdb.sqlite, pinned old PyPI releases). The findings
must be exactly the advisories whose ranges contain the installed versions, computed here
from the raw OSV files with other comparators than hullguard's: `packaging.version` for PyPI
and rpm's own `rpm.vercmp` for rpm, with ids that alias each other merged into one finding
per package. The osv.dev Debian/Ubuntu test records go through import too.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from hullguard.cli.main import main
from hullguard.vulndb import store
from hullguard.vulndb.importer import NoAdvisories, import_locations
from tests.conftest import require
from tests.support import alma_image
from tests.support.images import BuiltImage, build

ADVISORIES = "conformance/advisories"
ALMA_ECOSYSTEM = "AlmaLinux:9"

Compare = Callable[[str, str], int]
"""-1, 0 or 1, as a comparator of two versions."""


@pytest.fixture(scope="module")
def alma_vuln_image() -> BuiltImage:
    missing = alma_image.missing_tools()
    require(not missing, f"image build tools missing: {', '.join(missing)} (run scripts/setup)")
    return build(alma_image.alma_recipe())


# --- the expectation, from the raw records --------------------------------------------------


def _in_range(events: list[dict[str, str]], version: str, cmp: Compare) -> bool:
    """OSV's rule, stated per interval: some `introduced` at or below the version with no
    `fixed` in (introduced, version] and no `last_affected` in [introduced, version), and
    the version below every `limit`."""
    for event in events:
        if "limit" in event and event["limit"] != "*" and cmp(version, event["limit"]) >= 0:
            return False
    for start in (e["introduced"] for e in events if "introduced" in e):
        if start != "0" and cmp(version, start) < 0:
            continue

        def after_start(bound: str, start: str = start) -> bool:
            return start == "0" or cmp(bound, start) > 0

        closed = any(
            "fixed" in e and after_start(e["fixed"]) and cmp(e["fixed"], version) <= 0 for e in events
        ) or any(
            "last_affected" in e
            and (start == "0" or cmp(e["last_affected"], start) >= 0)
            and cmp(e["last_affected"], version) < 0
            for e in events
        )
        if not closed:
            return True
    return False


def _expected(
    records: Iterable[dict[str, Any]],
    installed: dict[str, tuple[str, tuple[str, ...]]],
    ecosystem: str,
    cmp: Compare,
    same_name: Callable[[str, str], bool],
    concerns: Callable[[dict[str, Any], dict[str, Any], str], bool] = lambda record, entry, package: True,
) -> tuple[set[tuple[str, frozenset[str]]], dict[tuple[str, frozenset[str]], str | None]]:
    """(package, every id of one merged finding) for each expected finding, and its fix:
    the lowest `fixed` above the installed version among the ranges that contain it.
    `installed`: package -> (version, the names it is looked up by)."""
    hits: dict[str, list[tuple[frozenset[str], list[str]]]] = {}
    for record in records:
        if record.get("withdrawn"):
            continue
        for package, (version, names) in installed.items():
            fixes: list[str] = []
            affected = False
            for entry in record.get("affected", []):
                osv_package = entry.get("package", {})
                if osv_package.get("ecosystem") != ecosystem or not any(
                    same_name(osv_package.get("name", ""), n) for n in names
                ):
                    continue
                if not concerns(record, entry, package):
                    continue
                if any(cmp(version, v) == 0 for v in entry.get("versions", []) if _orderable(v, cmp)):
                    affected = True
                for rng in entry.get("ranges", []):
                    if rng["type"] == "ECOSYSTEM" and _in_range(rng["events"], version, cmp):
                        affected = True
                        fixes += [e["fixed"] for e in rng["events"] if "fixed" in e]
            if affected:
                ids = frozenset({record["id"], *record.get("aliases", [])})
                hits.setdefault(package, []).append((ids, fixes))
    expected: set[tuple[str, frozenset[str]]] = set()
    fixed: dict[tuple[str, frozenset[str]], str | None] = {}
    for package, found in hits.items():
        version = installed[package][0]
        for ids, fixes in _components(found):
            above = [f for f in fixes if cmp(f, version) > 0]
            lowest = None
            for f in above:
                if lowest is None or cmp(f, lowest) < 0:
                    lowest = f
            expected.add((package, ids))
            fixed[(package, ids)] = lowest
    return expected, fixed


def _components(found: list[tuple[frozenset[str], list[str]]]) -> list[tuple[frozenset[str], list[str]]]:
    """Merge the hits that share an id until no two share one."""
    groups: list[tuple[set[str], list[str]]] = []
    for ids, fixes in found:
        merged_ids, merged_fixes = set(ids), list(fixes)
        for group in [g for g in groups if g[0] & merged_ids]:
            groups.remove(group)
            merged_ids |= group[0]
            merged_fixes += group[1]
        groups.append((merged_ids, merged_fixes))
    return [(frozenset(ids), fixes) for ids, fixes in groups]


def _stream_rule(labels: dict[str, str | None]) -> Callable[[dict[str, Any], dict[str, Any], str], bool]:
    """Module streams: a record whose fixes are module builds (`.module_el9...`) concerns only
    rpms of a module, of the stream its summary names ("nginx:1.22 security update") when it
    names one of the rpm's module; any other record only rpms outside modules."""

    def concerns(record: dict[str, Any], entry: dict[str, Any], package: str) -> bool:
        fixes = [e["fixed"] for r in entry.get("ranges", []) for e in r["events"] if "fixed" in e]
        if not fixes:
            return True
        label = labels[package]
        if any(".module_el" in f or ".module+el" in f for f in fixes) != (label is not None):
            return False
        if label is None:
            return True
        module, stream = label.split(":")[:2]
        words = [w.rstrip(",;") for w in record.get("summary", "").split()]
        named = [w for w in words if w.startswith(f"{module}:") and len(w) > len(module) + 1]
        return not named or f"{module}:{stream}" in named

    return concerns


def _orderable(text: str, cmp: Compare) -> bool:
    try:
        cmp(text, text)
    except InvalidVersion:
        return False
    return True


def _pep440(a: str, b: str) -> int:
    left, right = Version(a), Version(b)
    return (left > right) - (left < right)


class RpmVercmp:
    """rpm's own comparison (`rpm.vercmp` in rpm's Lua), asked in one batch per set of pairs."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], int] = {}

    def prime(self, pairs: Iterable[tuple[str, str]]) -> None:
        todo = sorted({p for p in pairs if p not in self._known})
        for start in range(0, len(todo), 500):
            chunk = todo[start : start + 500]
            calls = " ".join(f'print(rpm.vercmp("{a}", "{b}") .. " ")' for a, b in chunk)
            out = subprocess.run(
                ["rpm", "--eval", f"%{{lua: {calls}}}"], capture_output=True, text=True, check=True
            ).stdout.split()
            assert len(out) == len(chunk)
            self._known.update(zip(chunk, (int(x) for x in out), strict=True))

    def __call__(self, a: str, b: str) -> int:
        if (a, b) not in self._known:
            self.prime([(a, b)])
        return self._known[(a, b)]


def _pypa_records(root: Path) -> list[dict[str, Any]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    records = []
    for path in sorted((root / "vulns").rglob("*.yaml")):
        records.append(yaml.load(path.read_text(encoding="utf-8"), Loader=loader))
    return records


def _alma_records(root: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((root / "advisories").rglob("*.json"))]


def _unpack(archive: Path, dest: Path) -> Path:
    """The image's root filesystem: its docker-archive's layers extracted in order. umoci 0.4.7
    `insert` ends a layer without the tar footer (umoci#436, fixed in umoci#534): the padding
    and two zero blocks are added back so that tarfile reads it."""
    with tarfile.open(archive) as image:
        manifest = json.load(image.extractfile("manifest.json"))  # type: ignore[arg-type]
        for name in manifest[0]["Layers"]:
            data = image.extractfile(name).read()  # type: ignore[union-attr]
            data += bytes(-len(data) % 512 + 1024)
            with tarfile.open(fileobj=io.BytesIO(data)) as layer:
                layer.extractall(dest, filter="data")
    return dest


# --- the test -------------------------------------------------------------------------------


def _found(report: dict[str, Any], purl_type: str) -> dict[tuple[str, frozenset[str]], str | None]:
    found: dict[tuple[str, frozenset[str]], str | None] = {}
    for finding in report["findings"]:
        assert finding["kind"] == "vulnerability"
        package = finding["package"]
        if not package["purl"].startswith(f"pkg:{purl_type}/"):
            continue
        key = (package["name"], frozenset({finding["id"], *finding["aliases"]}))
        assert key not in found, f"two findings for one (package, vulnerability): {key}"
        found[key] = finding["fixed_version"]
    return found


@pytest.mark.integration
def test_real_advisories_against_the_alma_image(
    alma_vuln_image: BuiltImage, shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require(shutil.which("rpm") is not None, "rpm not installed")
    pypa = shared_dir / ADVISORIES / "pypa-advisory-database"
    alma = shared_dir / ADVISORIES / "almalinux-osv"
    cache = tmp_path / "cache"
    assert main(["db", "import", str(pypa), str(alma), "--cache-dir", str(cache)]) == 0
    assert "0 skipped" in capsys.readouterr().err
    out = tmp_path / "report.json"
    argv = ["image", str(alma_vuln_image.archive), "--scanners", "vuln", "--format", "json"]
    assert main([*argv, "--cache-dir", str(cache), "--output", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["artifact"]["os"]["family"] == "almalinux"
    assert not [i for i in report["issues"] if i.get("stage") in ("matcher", "vuln")]

    packages = report["packages"]
    wheels = {p["name"]: (p["version"], (p["name"],)) for p in packages if p["purl"].startswith("pkg:pypi/")}
    rpms = {
        p["name"]: (p["version"], tuple(dict.fromkeys((p["name"], p["source_name"]))))
        for p in packages
        if p["purl"].startswith("pkg:rpm/")
    }
    assert set(wheels) == {r.split("==")[0] for r in (*alma_image.WHEELS, *alma_image.SDISTS)}
    assert set(rpms) == {b for r in alma_image.RPMS for b in r.binaries}

    pypi_expected, pypi_fixed = _expected(
        _pypa_records(pypa),
        wheels,
        "PyPI",
        _pep440,
        lambda a, b: canonicalize_name(a) == canonicalize_name(b),
    )
    vercmp = RpmVercmp()
    alma_records = _alma_records(alma)
    vercmp.prime(
        (version, e[kind])
        for record in alma_records
        for entry in record.get("affected", [])
        if entry["package"]["ecosystem"] == ALMA_ECOSYSTEM
        for rng in entry.get("ranges", [])
        for e in rng["events"]
        for kind in ("introduced", "fixed", "last_affected", "limit")
        if kind in e
        for version, _ in rpms.values()
    )
    labels = {p["name"]: p.get("modularity_label") for p in packages if p["purl"].startswith("pkg:rpm/")}
    assert labels["nginx"] == "nginx:1.22:9020020230823:rhel9"
    rpm_expected, rpm_fixed = _expected(
        alma_records, rpms, ALMA_ECOSYSTEM, vercmp, str.__eq__, _stream_rule(labels)
    )

    pypi_found, rpm_found = _found(report, "pypi"), _found(report, "rpm")
    assert set(pypi_found) == pypi_expected
    assert set(rpm_found) == rpm_expected
    assert pypi_found == pypi_fixed
    assert rpm_found == rpm_fixed
    # Every package but the clean one is affected, and none by an advisory that fixed exactly
    # its version (tar's ALSA-2023:0959 fix, xz's only advisory).
    assert {p for p, _ in pypi_expected} == set(wheels) - {"MarkupSafe"}
    assert {p for p, _ in rpm_expected} == set(rpms) - {"xz", "xz-libs"}
    assert not any("ALSA-2023:0959" in ids for p, ids in rpm_expected if p == "tar")
    # Module streams: the nginx:1.22 build only gets its stream's later fix; nodejs 16, outside
    # modules, none of the nodejs:18..24 streams' advisories.
    assert {ids for p, ids in rpm_expected if p == "nginx"} == {frozenset({"ALSA-2025:3261"})}
    assert {ids for p, ids in rpm_expected if p == "nodejs"} == {
        frozenset({i}) for i in ("ALSA-2023:5765", "ALSA-2024:1438", "ALSA-2024:2910")
    }
    assert any(len(ids) > 2 for _, ids in pypi_expected)  # PYSEC + CVE + GHSA merged
    assert len(pypi_expected) > 50 and len(rpm_expected) > 50

    # The same root filesystem unpacked, as `hullguard fs` sees it: the same findings.
    root = _unpack(alma_vuln_image.archive, tmp_path / "root")
    argv = ["fs", str(root), "--scanners", "vuln", "--format", "json", "--cache-dir", str(cache)]
    assert main([*argv, "--output", str(tmp_path / "fs.json")]) == 0
    fs_report = json.loads((tmp_path / "fs.json").read_text())
    assert _found(fs_report, "pypi") == pypi_found
    assert _found(fs_report, "rpm") == rpm_found

    # The image's own CycloneDX and SPDX SBOMs, scanned as `hullguard sbom`: the same findings
    # (PyPI names come back from purls, normalised).
    def named(
        found: dict[tuple[str, frozenset[str]], str | None],
    ) -> dict[tuple[str, frozenset[str]], str | None]:
        return {(canonicalize_name(name), ids): fix for (name, ids), fix in found.items()}

    for form in ("cyclonedx", "spdx-json"):
        sbom, scanned = tmp_path / f"image.{form}.json", tmp_path / f"sbom-{form}.json"
        assert main(["image", str(alma_vuln_image.archive), "--scanners", "vuln", "--format", form,
                     "--cache-dir", str(cache), "--output", str(sbom)]) == 0  # fmt: skip
        assert (
            main(["sbom", str(sbom), "--format", "json", "--cache-dir", str(cache), "--output", str(scanned)])
            == 0
        )
        sbom_report = json.loads(scanned.read_text())
        assert named(_found(sbom_report, "pypi")) == named(pypi_found), form
        assert _found(sbom_report, "rpm") == rpm_found, form


def test_osv_dev_debian_and_ubuntu_records_import(shared_dir: Path, tmp_path: Path) -> None:
    testdata = shared_dir / ADVISORIES / "osv.dev-testdata"
    path = tmp_path / "vulndb.sqlite"
    records = sorted(testdata.glob("gcp/**/*.json"))
    result = import_locations(path, [testdata / "gcp"])
    assert result.problems == [] and result.added == len(records) > 20
    # The converters' inputs under vulnfeeds are not OSV records: each is named, none imported,
    # and a location that holds no advisory at all is an error (the database stays as it was).
    with pytest.raises(NoAdvisories) as caught:
        import_locations(path, [testdata / "vulnfeeds"])
    assert caught.value.problems
    assert {Path(p.path or "").suffix for p in caught.value.problems} <= {".json", ".txt", ".csv"}
    with store.opened(path) as conn:
        for ident in (
            "DSA-3029-1",
            "DLA-3623-1",
            "USN-6315-1",
            "UBUNTU-CVE-2023-4004",
            "UBUNTU-CVE-2025-38094",
        ):
            assert store.advisory(conn, ident) is not None, ident
        rows = store.affected_for_many(conn, [("Debian:7", "nginx")])
    assert [r.advisory_id for r in next(iter(rows.values()))] == ["DSA-3029-1"]
