"""Trivy's plain-text .trivyignore: ids, # comments, exp: dates; read by default from ./ like Trivy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.cli.main import main

TRIVYIGNORE = """\
# Accepted risks, reviewed 2026-11
HG-DF-003
HG-DF-005    exp:2999-01-01   # pinned by the release job
HG-DF-017 exp:2020-01-01
"""


def _ids(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[set[str], list[str]]:
    assert main(["config", *argv, "-f", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    return {f["id"] for f in doc["findings"]}, [i["message"] for i in doc["issues"]]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app/Dockerfile").write_text("FROM debian\nRUN echo hi\n")
    return tmp_path


def test_a_plain_trivyignore_hides_ids_until_they_expire(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    everything, _ = _ids(capsys, str(project / "app"))
    assert {"HG-DF-003", "HG-DF-005", "HG-DF-017"} <= everything
    (project / ".trivyignore").write_text(TRIVYIGNORE)
    ids, notes = _ids(capsys, str(project / "app"), "--ignorefile", str(project / ".trivyignore"))
    assert "HG-DF-003" not in ids and "HG-DF-005" not in ids
    assert "HG-DF-017" in ids  # expired in 2020: it hides nothing, and says so
    assert any("HG-DF-017 expired on 2020-01-01" in n for n in notes)
    # Any name works when the content is plain text.
    (project / "ignored.txt").write_text("HG-DF-003\n")
    ids, _ = _ids(capsys, str(project / "app"), "--ignorefile", str(project / "ignored.txt"))
    assert "HG-DF-003" not in ids and "HG-DF-005" in ids


def test_dot_trivyignore_in_the_working_folder_is_read_by_default(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / ".trivyignore").write_text(TRIVYIGNORE)
    monkeypatch.chdir(project)
    ids, _ = _ids(capsys, "app")
    assert "HG-DF-003" not in ids and "HG-DF-017" in ids


def test_a_bad_line_is_a_usage_error_with_its_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".trivyignore").write_text("HG-DF-003\nHG-DF-005 exp:tomorrow\n")
    assert main(["config", str(project / "app"), "--ignorefile", str(project / ".trivyignore")]) == 2
    assert ".trivyignore:2: exp:tomorrow is not a YYYY-MM-DD date" in capsys.readouterr().err
