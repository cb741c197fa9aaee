"""The GitHub Action (action.yml) and the GitLab CI template, run as their CI would run them.

Neither GitHub's nor GitLab's runner can run here, so each test takes the template's own shell
script out of the YAML and runs it with bash/sh and the environment the runner would give it,
with this checkout's `hullguard` on PATH. What the runners add around it (setup-python, the SARIF
upload action, artifacts) is checked as data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import REPO

BAD = "FROM debian:latest\nRUN apt-get update && apt-get install curl\n"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    bindir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "HOME": str(tmp_path), **extra}


def _action() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO / "action.yml").read_text())


def _step(name: str) -> dict:  # type: ignore[type-arg]
    return next(s for s in _action()["runs"]["steps"] if s.get("name") == name)


def test_action_is_composite_and_uploads_sarif() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    upload = _step("upload SARIF to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), f"step {step.get('name')} interpolates into shell"


def _run_scan_step(tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    step = _step("scan")
    defaults = {k: str(v.get("default", "")) for k, v in _action()["inputs"].items()}
    given = {**defaults, **inputs}
    env = {
        name: given[value.removeprefix("${{ inputs.").removesuffix(" }}")]
        for name, value in step["env"].items()
    }
    output = tmp_path / "github_output"
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=tmp_path, capture_output=True, text=True,
        env=_env(tmp_path, GITHUB_OUTPUT=str(output), **env), timeout=300,
    )
    return result, output


def test_action_scan_step_writes_sarif_and_records_status(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(BAD)
    result, output = _run_scan_step(tmp_path, command="config", target=".")
    assert result.returncode == 0, result.stderr  # the verdict is the last step's, after the upload
    sarif = json.loads((tmp_path / "hullguard.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert any(r["ruleId"].startswith("HG-DF-") for r in sarif["runs"][0]["results"])
    assert "status=1" in output.read_text()
    assert "HG-DF-" in result.stdout  # the table for the job log


def test_action_refuses_an_unknown_command(tmp_path: Path) -> None:
    result, _ = _run_scan_step(tmp_path, command="image; touch pwned", target=".")
    assert result.returncode == 2
    assert not (tmp_path / "pwned").exists()


def test_gitlab_template_fails_on_findings_and_keeps_reports(tmp_path: Path) -> None:
    doc = yaml.safe_load((REPO / "ci" / "hullguard.gitlab-ci.yml").read_text())
    job = doc[".hullguard"]
    assert doc["hullguard"]["extends"] == ".hullguard"
    assert set(job["artifacts"]["paths"]) == {"hullguard.sarif", "hullguard.json", "hullguard.txt"}
    scan = job["script"][1]  # the first line installs hullguard from PyPI: this checkout stands in
    env = _env(tmp_path, **{k: str(v) for k, v in job["variables"].items()})
    (tmp_path / "Dockerfile").write_text(BAD)
    failed = subprocess.run(["sh", "-e", "-c", scan], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert failed.returncode == 1
    report = json.loads((tmp_path / "hullguard.json").read_text())
    assert any(f["id"].startswith("HG-DF-") for f in report["findings"])
    assert "HG-DF-" in failed.stdout
    (tmp_path / "Dockerfile").unlink()
    (tmp_path / "app.yaml").write_text("a: 1\n")
    passed = subprocess.run(["sh", "-e", "-c", scan], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert passed.returncode == 0, passed.stderr
