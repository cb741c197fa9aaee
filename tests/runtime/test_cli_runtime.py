"""`hullguard runtime rules check` and the command's usage errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hullguard.cli.main import main
from tests.conftest import require

RULES = """
- list: shells
  items: [bash, sh]
- rule: Shell
  desc: a shell started
  condition: evt.type = execve and proc.name in (shells)
  output: shell %proc.name
  priority: NOTICE
- rule: Buffer
  desc: needs a field hullguard does not supply
  condition: evt.type = read and evt.buffer contains x
  output: x
  priority: INFO
"""


def test_rules_check_lists_loaded_and_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES)
    assert main(["runtime", "rules", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 rules loaded (1 enabled, 0 disabled)" in out and "loaded   Shell [Notice]" in out
    assert f"skipped  {path}:9: rule 'Buffer': field 'evt.buffer' is not supplied" in out
    assert main(["runtime", "rules", "check", "--format", "json", "--exit-code", "5", str(path)]) == 5
    doc = json.loads(capsys.readouterr().out)
    assert [r["rule"] for r in doc["loaded"]] == ["Shell"]
    assert doc["not_loaded"] == [{"kind": "rule", "name": "Buffer", "file": str(path), "line": 9,
                                  "reason": "field 'evt.buffer' is not supplied by hullguard for this source"}]


def test_rules_check_of_the_falco_files(shared_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = shared_dir / "conformance" / "falco-rules" / "rules"
    assert main(["runtime", "rules", "check", str(rules / "falco_rules.yaml")]) == 0
    assert capsys.readouterr().out.endswith("0 not loaded\n")


@pytest.mark.parametrize("text", ["- rule: [", "just text", "- {list: x, items: [a]}\n- 3\n"])
def test_unusable_rules_file_exits_2_with_the_file(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    assert main(["runtime", "rules", "check", str(path)]) == 2
    assert str(path) in capsys.readouterr().err


def test_watch_without_root_says_why() -> None:
    require(os.geteuid() == 0 and shutil.which("setpriv") is not None, "needs root and setpriv to drop privileges")
    result = subprocess.run(
        ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", sys.executable, "-m",
         "hullguard.cli.main", "runtime", "watch", "--source", "ebpf", "--duration", "1", "--no-drift"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "HULLGUARD_CACHE_DIR": "/nonexistent"},
    )
    assert result.returncode == 2
    assert result.stderr.endswith("hullguard: eBPF source: needs root (CAP_BPF and CAP_PERFMON)\n")
    assert "Traceback" not in result.stderr


def test_watch_output_that_cannot_be_written_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runtime", "watch", "--output", str(tmp_path / "no" / "such" / "dir.jsonl"), "--duration", "0"]) == 2
    assert "--output" in capsys.readouterr().err
