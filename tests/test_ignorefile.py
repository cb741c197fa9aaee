"""--ignorefile is one filter for every kind of finding: misconfigurations, secrets, vulnerabilities."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.cli.main import main

AWS_KEY_ID = "AKIA" + "QWERTYUIOPASDFGH"  # the right shape, not a real key, assembled so no scanner flags this file


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    assert main([*argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_ignorefile_hides_a_misconfiguration_and_says_when_an_entry_expired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nUSER root\n")
    before = {f["id"] for f in _run(capsys, "config", str(tmp_path))["findings"]}
    assert "HG-DF-002" in before and len(before) > 1
    other = sorted(before - {"HG-DF-002"})[0]
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text(
        "misconfigurations:\n"
        "  - id: HG-DF-002\n    paths: ['Dockerfile']\n    statement: base image is rebuilt\n"
        f"  - id: {other}\n    expired_at: 2020-01-01\n"
    )
    report = _run(capsys, "config", str(tmp_path), "--ignorefile", str(ignore))
    after = {f["id"] for f in report["findings"]}
    assert after == before - {"HG-DF-002"}
    assert any(f"{other} expired" in i["message"] for i in report["issues"])


def test_ignorefile_hides_a_secret_in_fs_scans(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "settings.env").write_text(f"AWS_ACCESS_KEY_ID={AWS_KEY_ID}\n")
    found = _run(capsys, "fs", str(project), "--scanners", "secret")["findings"]
    assert [f["id"] for f in found] == ["aws-access-key-id"]
    assert AWS_KEY_ID not in json.dumps(found)
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text("secrets:\n  - id: aws-access-key-id\n    paths: ['settings.env']\n")
    assert _run(capsys, "fs", str(project), "--scanners", "secret", "--ignorefile", str(ignore))["findings"] == []
