"""Ignore-file entries for every kind of finding: id, package, path globs, expiry."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hullguard.errors import UsageError
from hullguard.ignorefile import apply_ignore_rules, load_ignorefile
from hullguard.model import Location, Misconfiguration, Package, PackageType, Secret, Severity, Vulnerability

TODAY = date(2026, 6, 1)


def findings() -> list:
    pkg = Package(
        type=PackageType.NPM,
        name="lodash",
        version="4.17.20",
        purl="pkg:npm/lodash@4.17.20",
        path="app/node_modules/lodash/package.json",
    )
    return [
        Vulnerability(
            id="CVE-2021-23337",
            aliases=("GHSA-35jh-r3h4-6jhm",),
            severity=Severity.HIGH,
            title="t",
            package=pkg,
        ),
        Misconfiguration(
            id="HG-DF-002",
            severity=Severity.HIGH,
            title="root",
            message="m",
            location=Location(path="services/api/Dockerfile", start_line=1),
        ),
        Misconfiguration(
            id="HG-DF-002",
            severity=Severity.HIGH,
            title="root",
            message="m",
            location=Location(path="Dockerfile", start_line=1),
        ),
        Secret(
            id="aws-access-key-id",
            severity=Severity.CRITICAL,
            title="k",
            match="AKIA****",
            location=Location(path="etc/x"),
        ),
    ]


def test_rules_cover_each_kind_by_id_package_and_path(tmp_path: Path) -> None:
    path = tmp_path / "ignore.yaml"
    path.write_text(
        "vulnerabilities:\n"
        "  - {id: GHSA-35jh-r3h4-6jhm, package: 'pkg:npm/lodash', reason: template unused}\n"
        "misconfigurations:\n"
        "  - {id: HG-DF-002, paths: ['services/*/Dockerfile'], reason: sidecar, expires: 2026-12-31}\n"
        "secrets:\n"
        "  - {id: aws-access-key-id, reason: test key, expires: 2026-01-01}\n"
        "  - {id: aws-access-key-id, package: foo, reason: packages never apply to secrets}\n"
    )
    kept, notes = apply_ignore_rules(findings(), load_ignorefile(path), TODAY)
    assert [(f.kind, f.location.path) for f in kept] == [
        ("misconfiguration", "Dockerfile"),
        ("secret", "etc/x"),
    ]
    [note] = notes
    assert "aws-access-key-id expired on 2026-01-01" in note.message and "test key" in note.message


def test_an_active_entry_wins_over_an_expired_one(tmp_path: Path) -> None:
    path = tmp_path / "ignore.yaml"
    path.write_text(
        "- {id: CVE-2021-23337, expires: 2020-01-01}\n- {id: CVE-2021-23337, expires: 2030-01-01}\n"
    )
    kept, _ = apply_ignore_rules(findings()[:1], load_ignorefile(path), TODAY)
    assert kept == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: [1]\n", "unknown key id"),
        ("secrets: x\n", "must be a list"),
        ("- reason: no id\n", "entry 1"),
        ("- {id: X, expires: soon}\n", "YYYY-MM-DD"),
        ("- {id: X\n", "not valid YAML"),
    ],
)
def test_bad_ignorefile_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "ignore.yaml"
    path.write_text(text)
    with pytest.raises(UsageError, match=message):
        load_ignorefile(path)
