"""`hullguard config` on Compose projects: interpolation, extends and include through the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hullguard.cli.main import main


def test_config_reports_interpolated_and_inherited_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".env").write_text("PRIV=true\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  base:\n    image: b:1\n    privileged: ${PRIV}\n"
        "  web:\n    image: w:1\n"
        "    # hullguard:ignore=HG-DC-002 the proxy needs the host network\n"
        "    extends: {file: net.yml, service: hostnet}\n"
        "    user: ${APP_USER}\n"
    )
    (tmp_path / "net.yml").write_text(
        "services:\n  hostnet:\n    network_mode: host\n    privileged: false\n"
    )
    assert main(["config", str(tmp_path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    found = {(f["id"], f["location"]["start_line"], f["message"]) for f in report["findings"]}
    assert ("HG-DC-001", 4, "service base is privileged") in found
    assert not any(m.startswith("service web is privileged") for _, _, m in found)  # net.yml says false
    assert not any(i == "HG-DC-002" for i, _, _ in found)  # suppressed at the extends node
    assert [i["message"] for i in report["issues"]] == [
        "compose.yaml:9: variable APP_USER is not set; read as an empty string"
    ]
    compose = tmp_path / "compose.yaml"
    compose.write_text(compose.read_text().replace("hullguard:ignore", "note"))
    assert main(["config", str(tmp_path), "--format", "json"]) == 0
    found = {(f["id"], f["location"]["start_line"]) for f in json.loads(capsys.readouterr().out)["findings"]}
    assert ("HG-DC-002", 8) in found


def test_a_dotenv_link_out_of_the_folder_is_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "secret.env").write_text("PRIV=true\n")
    os.symlink(tmp_path / "secret.env", project / ".env")
    (project / "compose.yaml").write_text(
        "services:\n  web:\n    image: w:1\n    privileged: ${PRIV:-false}\n"
    )
    assert main(["config", str(project), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "HG-DC-001" not in {f["id"] for f in report["findings"]}
    assert [i["message"] for i in report["issues"]] == [
        "compose.yaml: env file .env is outside the scanned folder; not read"
    ]
