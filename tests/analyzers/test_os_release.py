"""OS detection: os-release, the distro release files as fallbacks, and the end-of-life flag."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hullguard.analyzers.eol import lookup_eol, release_of
from hullguard.analyzers.os_release import OsReleaseAnalyzer, parse_redhat_release
from hullguard.analyzers.run import analyze_tree
from hullguard.model import OS
from hullguard.sources.rootfs import DirTree

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "analyzers" / "os-release"

# case folder -> (family, version, end-of-life date; "rolling" never ends, None is unknown)
CASES: dict[str, tuple[str, str, str | None]] = {
    "debian-bookworm": ("debian", "12.5", "2028-06-30"),
    "debian-bullseye-fallback": ("debian", "11.9", "2026-08-31"),
    "debian-trixie-testing": ("debian", "trixie/sid", None),
    "ubuntu-jammy": ("ubuntu", "22.04", "2027-06-01"),
    "ubuntu-focal-lsb-fallback": ("ubuntu", "20.04", "2025-05-31"),
    "alpine-3.19": ("alpine", "3.19.1", "2025-11-01"),
    "alpine-3.16-fallback": ("alpine", "3.16.9", "2024-05-23"),
    "rhel-ubi9": ("redhat", "9.3", "2032-05-31"),
    "centos-7": ("centos", "7.9.2009", "2024-06-30"),
    "rocky-9": ("rocky", "9.3", "2032-05-31"),
    "almalinux-8-fallback": ("almalinux", "8.9", "2029-03-01"),
    "amazon-2": ("amazon", "2", "2026-06-30"),
    "amazon-2018-fallback": ("amazon", "2018.03", "2023-12-31"),
    "fedora-39-fallback": ("fedora", "39", "2024-11-26"),
    "oracle-8-fallback": ("oracle", "8.9", None),
    "wolfi": ("wolfi", "20230201", "rolling"),
    "chainguard": ("chainguard", "20230214", "rolling"),
    "sles-15.5": ("suse", "15.5", "2024-12-31"),
    "cbl-mariner-2": ("cbl-mariner", "2.0", "2025-07-31"),
    "unknown-id-empty": ("alpine", "3.18.6", "2025-05-09"),
}


def detect(case: str) -> OS | None:
    inventory, issues = analyze_tree(DirTree(FIXTURES / case), (OsReleaseAnalyzer(),))
    assert issues == ()
    return inventory.os


def test_every_fixture_has_a_case() -> None:
    assert {p.name for p in FIXTURES.iterdir()} == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_os_detection(case: str) -> None:
    family, version, end = CASES[case]
    found = detect(case)
    assert found is not None
    assert (found.family, found.version) == (family, version)
    if end is None:
        assert found.eol is None and found.eol_date is None
    elif end == "rolling":
        assert found.eol is False and found.eol_date is None
    else:
        assert found.eol_date == date.fromisoformat(end)
        assert found.eol is (found.eol_date <= date.today())


def test_pretty_name_is_kept() -> None:
    found = detect("debian-bookworm")
    assert found is not None and found.name == "Debian GNU/Linux 12 (bookworm)"


def test_eol_against_a_fixed_clock() -> None:
    assert lookup_eol("debian", "12.5", today=date(2028, 6, 29)) == (False, date(2028, 6, 30))
    assert lookup_eol("debian", "12.5", today=date(2028, 6, 30)) == (True, date(2028, 6, 30))
    assert lookup_eol("alpine", "3.21.0", today=date(2026, 10, 31)) == (False, date(2026, 11, 1))
    assert lookup_eol("wolfi", "20230201", today=date(2099, 1, 1)) == (False, None)
    assert lookup_eol("debian", "5.0.10") is None


@pytest.mark.parametrize(
    ("family", "version", "release"),
    [
        ("alpine", "3.19.1", "3.19"),
        ("ubuntu", "22.04", "22.04"),
        ("debian", "12.5", "12"),
        ("redhat", "9.3", "9"),
        ("centos", "7.9.2009", "7"),
        ("amazon", "2018.03", "2018.03"),
        ("amazon", "2023", "2023"),
        ("suse", "15.5", "15.5"),
        ("cbl-mariner", "2.0", "2"),
    ],
)
def test_release_of(family: str, version: str, release: str) -> None:
    assert release_of(family, version) == release
    assert OS(family=family, version=version).release == release  # what matchers name the release by


@pytest.mark.parametrize(
    ("text", "family", "version"),
    [
        ("Red Hat Enterprise Linux Server release 7.9 (Maipo)", "redhat", "7.9"),
        ("CentOS Stream release 8", "centos", "8"),
        ("Rocky Linux release 8.9 (Green Obsidian)", "rocky", "8.9"),
        ("Amazon Linux release 2023 (Amazon Linux)", "amazon", "2023"),
    ],
)
def test_release_file_lines(text: str, family: str, version: str) -> None:
    found = parse_redhat_release(text + "\n")
    assert found is not None and (found.family, found.version) == (family, version)


def test_release_file_without_a_version_is_ignored() -> None:
    assert parse_redhat_release("Welcome to some Linux\n") is None
