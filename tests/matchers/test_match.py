"""Matching real advisories (pypa's PyPI records, AlmaLinux's) against pinned old packages.

The expectation is computed here, independently of the matcher, straight from the YAML/JSON
records with `packaging` and `rpm`-free string logic, and the findings must equal it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from packaging.version import InvalidVersion, Version

from hullguard.matchers.match import Matcher
from hullguard.model import OS, Package, PackageType, Severity
from hullguard.vulndb import store
from hullguard.vulndb.importer import import_locations

pytestmark = pytest.mark.conformance

PINS = {"PyYAML": "5.3.1", "urllib3": "1.26.4", "Jinja2": "2.11.2", "requests": "2.25.0", "Pillow": "8.1.0"}


@pytest.fixture(scope="module")
def real_db(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("db") / "db.sqlite"
    base = shared_dir / "conformance/advisories"
    import_locations(db, [base / "pypa-advisory-database", base / "almalinux-osv"])
    return db


def _affects(entry: dict, version: Version) -> bool:
    if version in {_v(x) for x in entry.get("versions") or ()}:
        return True
    for rng in entry.get("ranges") or ():
        if rng["type"] != "ECOSYSTEM":
            continue
        state = False
        points = sorted(
            ((Version("0") if v == "0" else _v(v), k) for e in rng["events"] for k, v in e.items()),
            key=lambda p: (p[0] is not None, p[0] or Version("0")),
        )
        for bound, kind in points:
            if bound is None:
                continue
            if kind == "introduced" and version >= bound:
                state = True
            elif (kind == "fixed" and version >= bound) or (kind == "last_affected" and version > bound):
                state = False
        if state:
            return True
    return False


def _v(text: str) -> Version | None:
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


def expected_pypi(shared_dir: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {name: set() for name in PINS}
    for path in (shared_dir / "conformance/advisories/pypa-advisory-database/vulns").rglob("*.yaml"):
        doc = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if doc.get("withdrawn"):
            continue
        for entry in doc.get("affected") or ():
            name = entry["package"]["name"]
            for pin, version in PINS.items():
                if name.lower() == pin.lower() and _affects(entry, Version(version)):
                    out[pin].add(doc["id"])
    return out


def test_pinned_pypi_packages_get_exactly_the_advisories_whose_ranges_contain_them(
    real_db: Path, shared_dir: Path
) -> None:
    packages = [
        Package(type=PackageType.PYPI, name=n, version=v, purl=f"pkg:pypi/{n.lower()}@{v}")
        for n, v in PINS.items()
    ]
    with store.opened(real_db) as conn:
        findings, issues = Matcher(conn).match(packages, None)
    assert not issues
    expected = expected_pypi(shared_dir)
    assert sum(len(ids) for ids in expected.values()) > 20
    for pin in PINS:
        mine = [f for f in findings if f.package.name == pin]
        covered = {i for f in mine for i in (f.id, *f.aliases) if i.startswith("PYSEC-")}
        assert covered == expected[pin], pin
        # one finding per vulnerability: no advisory id appears in two findings
        all_ids = [i for f in mine for i in (f.id, *f.aliases)]
        assert len(all_ids) == len(set(all_ids)), pin
    urllib3 = {f.id: f for f in findings if f.package.name == "urllib3"}
    redos = urllib3["CVE-2021-33503"]
    assert "PYSEC-2021-108" in redos.aliases and redos.fixed_version == "1.26.5"
    # pypa's record carries no severity: UNKNOWN, not a guess.
    assert redos.severity is Severity.UNKNOWN and redos.cvss_score is None


def test_almalinux_rpms_match_by_release_ecosystem_with_lowest_fix(real_db: Path, shared_dir: Path) -> None:
    alma9 = OS(family="almalinux", version="9.2")
    old = Package(type=PackageType.RPM, name="libtiff", version="4.4.0-7.el9", source_name="libtiff")
    new = Package(type=PackageType.RPM, name="libtiff", version="99.0-1.el9", source_name="libtiff")
    with store.opened(real_db) as conn:
        findings, _ = Matcher(conn).match([old, new], alma9)
    # Expectation from the records: ALSA entries for AlmaLinux:9 libtiff whose fix is above 4.4.0-7.el9.
    expected = set()
    for path in (shared_dir / "conformance/advisories/almalinux-osv/advisories/almalinux9").glob("*.json"):
        doc = json.loads(path.read_text())
        for entry in doc.get("affected") or ():
            if entry["package"] == {"ecosystem": "AlmaLinux:9", "name": "libtiff"}:
                expected.add(doc["id"])
    assert expected
    assert all(f.package is old for f in findings)
    assert {i for f in findings for i in (f.id, *f.aliases)} <= expected
    assert "ALSA-2023:3711" in {i for f in findings for i in (f.id, *f.aliases)}
    alsa = next(f for f in findings if "ALSA-2023:3711" in (f.id, *f.aliases))
    assert alsa.fixed_version == "4.4.0-8.el9_2"
    # Another release's records do not apply.
    with store.opened(real_db) as conn:
        other, _ = Matcher(conn).match([old], OS(family="almalinux", version="8.9"))
    assert "ALSA-2023:3711" not in {i for f in other for i in (f.id, *f.aliases)}


def test_osv_dev_debian_record_matches_source_package_in_its_release(
    shared_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db.sqlite"
    import_locations(
        db, [shared_dir / "conformance/advisories/osv.dev-testdata/gcp/workers/oss_fuzz_worker/testdata"]
    )
    wheezy = OS(family="debian", version="7")
    binary = Package(
        type=PackageType.DEB,
        name="nginx-full",
        version="1.2.1-2.2+wheezy2",
        source_name="nginx",
        source_version="1.2.1-2.2+wheezy2",
        layer="sha256:" + "1" * 64,
    )
    patched = Package(
        type=PackageType.DEB,
        name="nginx-common",
        version="1.2.1-2.2+wheezy3",
        source_name="nginx",
        source_version="1.2.1-2.2+wheezy3",
    )
    with store.opened(db) as conn:
        findings, _ = Matcher(conn).match([binary, patched], wheezy)
        [finding] = findings
        # Reported on the binary package, with the CVE first and the DSA as its alias.
        assert (
            finding.package is binary and finding.id == "CVE-2014-3616" and finding.aliases == ("DSA-3029-1",)
        )
        assert finding.fixed_version == "1.2.1-2.2+wheezy3" and finding.location.layer == binary.layer
        # The same package in another release is not matched by a Debian:7 record.
        assert Matcher(conn).match([binary], OS(family="debian", version="12"))[0] == []


def test_go_stdlib_devel_and_case_insensitive_names(tmp_path: Path) -> None:
    folder = tmp_path / "osv"
    folder.mkdir()
    records = [
        ("GO-2024-0001", "Go", "stdlib", "SEMVER", "1.22.5"),
        ("GHSA-nuget-0001", "NuGet", "Newtonsoft.Json", "ECOSYSTEM", "13.0.1"),
        ("GHSA-composer-0001", "Packagist", "Symfony/Http-Kernel", "ECOSYSTEM", "5.4.20"),
    ]
    for ident, ecosystem, name, kind, fixed in records:
        (folder / f"{ident}.json").write_text(
            json.dumps(
                {
                    "id": ident,
                    "modified": "2024-01-01T00:00:00Z",
                    "affected": [
                        {
                            "package": {"ecosystem": ecosystem, "name": name},
                            "ranges": [{"type": kind, "events": [{"introduced": "0"}, {"fixed": fixed}]}],
                        }
                    ],
                }
            )
        )
    db = tmp_path / "db.sqlite"
    import_locations(db, [folder])
    packages = [
        Package(type=PackageType.GOLANG, name="stdlib", version="go1.22.1"),
        Package(type=PackageType.GOLANG, name="example.com/app", version="(devel)"),
        Package(type=PackageType.NUGET, name="newtonsoft.json", version="12.0.3"),
        Package(type=PackageType.COMPOSER, name="symfony/http-kernel", version="5.4.1"),
    ]
    with store.opened(db) as conn:
        findings, issues = Matcher(conn).match(packages, None)
    assert not issues
    assert {(f.package.name, f.id, f.fixed_version) for f in findings} == {
        ("stdlib", "GO-2024-0001", "1.22.5"),
        ("newtonsoft.json", "GHSA-nuget-0001", "13.0.1"),
        ("symfony/http-kernel", "GHSA-composer-0001", "5.4.20"),
    }


def test_os_packages_without_a_known_release_are_reported(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    import_locations(db, [])
    deb = Package(type=PackageType.DEB, name="bash", version="5.2-1", source_name="bash")
    with store.opened(db) as conn:
        for os in (None, OS(family="debian", version=""), OS(family="plan9", version="4")):
            findings, issues = Matcher(conn).match([deb], os)
            assert findings == [] and len(issues) == 1 and "1 OS packages not checked" in issues[0].message
