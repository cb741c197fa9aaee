"""SARIF output validates against the published OASIS SARIF 2.1.0 schema and carries what
GitHub code scanning reads (rules, security-severity, a location per result)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from hullguard.cli.main import main
from hullguard.model import Artifact, ArtifactType, Location, Misconfiguration, Report, Secret, Severity
from hullguard.pipeline import SbomTarget, ScanOptions, scan
from hullguard.report.sarif import to_sarif, write

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCHEMA = json.loads((FIXTURES / "schemas/sarif-schema-2.1.0.json").read_text())


def validate(doc: dict) -> None:
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_schema_rejects_a_broken_log() -> None:
    with pytest.raises(AssertionError):
        validate({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})


def test_vulnerability_sarif_is_valid_and_complete(tmp_path: Path) -> None:
    report = scan(
        SbomTarget(path=FIXTURES / "sbom/trivy-demo.cdx.json"),
        ScanOptions(scanners=frozenset({"vuln"}), cache_dir=tmp_path),
    )
    out = io.StringIO()
    write(report, out)
    doc = json.loads(out.getvalue())
    validate(doc)
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert len(run["results"]) == len(report.findings) and len(rules) == len({f.id for f in report.findings})
    minimist = next(r for r in run["results"] if r["ruleId"] == "CVE-2021-44906")
    assert minimist["level"] == "error" and "Fixed version: 1.2.6" in minimist["message"]["text"]
    assert rules["CVE-2021-44906"]["properties"]["security-severity"] == "9.8"
    assert rules[minimist["ruleId"]] is run["tool"]["driver"]["rules"][minimist["ruleIndex"]]
    for result in run["results"]:
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_other_finding_kinds_and_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = Report(
        artifact=Artifact(name="x", type=ArtifactType.CONFIG),
        findings=(
            Misconfiguration(
                id="HG-DF-002",
                severity=Severity.HIGH,
                title="Image runs as root",
                message="no USER",
                location=Location(path="Dockerfile", start_line=3, end_line=4),
                remediation="add USER",
            ),
            Secret(
                id="aws-access-key-id",
                severity=Severity.CRITICAL,
                title="AWS key",
                match="AKIA****MPLE",
                location=Location(path="/etc/app.env", start_line=2),
            ),
        ),
    )
    validate(to_sarif(report))
    assert (
        main(
            [
                "sbom",
                str(FIXTURES / "sbom/syft-shaped.cdx.json"),
                "--format",
                "sarif",
                "--cache-dir",
                str(tmp_path),
            ]
        )
        == 0
    )
    validate(json.loads(capsys.readouterr().out))


def test_table_counts_findings_per_severity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sbom", str(FIXTURES / "sbom/syft-shaped.cdx.json"), "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # minimist CRITICAL; urllib3: 2 HIGH, 3 MEDIUM (bundled set); perl-base: CVE-2011-4116 HIGH;
    # libc6: CVE-2010-4756 LOW
    assert "Findings: CRITICAL 1, HIGH 3, MEDIUM 3, LOW 1, UNKNOWN 0" in out
