"""Exit codes keep their promise: unwritable --output, a closed pipe, db import of no advisory,
an unknown rules target, unparseable configuration under --exit-code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hullguard.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_unwritable_output_is_exit_2_before_the_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "image.tar"
    bogus.write_bytes(b"not a tar" * 100)
    # The target is bad too: that the message is about --output shows nothing was scanned.
    code, out, err = run(capsys, "image", str(bogus), "-o", str(tmp_path / "no/such/dir/report.json"))
    assert code == 2 and out == ""
    assert "--output" in err and "cannot write there" in err and "tar" not in err
    code, _, err = run(capsys, "fs", str(tmp_path), "-o", str(tmp_path))
    assert code == 2 and "is a folder" in err


def test_writable_output_check_leaves_no_file_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM debian:12\n")
    report = tmp_path / "out" / "r.json"
    report.parent.mkdir()
    assert run(capsys, "config", str(tmp_path / "Dockerfile"), "-f", "json", "-o", str(report))[0] == 0
    assert report.read_text().startswith("{")


def _read_a_little_then_close(argv: list[str]) -> subprocess.CompletedProcess[bytes]:
    """A real pipe whose reader stops after 100 bytes, as `| head -c 100` does."""
    process = subprocess.Popen(
        [sys.executable, "-m", "hullguard.cli.main", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.read(100)
    process.stdout.close()
    err = process.stderr.read()
    process.wait(timeout=120)
    return subprocess.CompletedProcess(argv, process.returncode, first, err)


def test_a_closed_pipe_ends_quietly_with_the_findings_exit_code(tmp_path: Path) -> None:
    for n in range(300):  # ~1 MB of JSON: far more than a pipe buffer holds
        (tmp_path / f"d{n}").mkdir()
        (tmp_path / f"d{n}" / "Dockerfile").write_text("FROM debian\nRUN apt-get install -y curl\n")
    result = _read_a_little_then_close(["config", str(tmp_path), "-f", "json", "--exit-code", "4"])
    assert result.stdout.startswith(b"{")
    assert result.stderr == b"" and result.returncode == 4


def test_a_closed_pipe_during_a_table_is_exit_0_and_quiet(tmp_path: Path) -> None:
    for n in range(300):
        (tmp_path / f"d{n}").mkdir()
        (tmp_path / f"d{n}" / "Dockerfile").write_text("FROM debian\n")
    result = _read_a_little_then_close(["config", str(tmp_path)])
    assert result.stderr == b"" and result.returncode == 0


def test_db_import_of_no_advisory_is_exit_2_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    obj = tmp_path / "a.json"
    obj.write_text('{"a": 1}')
    empty = tmp_path / "empty"
    empty.mkdir()
    for bad in (text, obj, empty):
        code, _, err = run(capsys, "db", "import", str(bad), "--cache-dir", str(cache))
        assert code == 2, err
        assert "holds no OSV advisory" in err and "Traceback" not in err
    assert not (cache / "vulndb.sqlite").exists()


def test_rules_list_of_an_unknown_target_is_exit_2_naming_the_valid_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["rules", "list", "--target", "foo"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert all(t in err for t in ("dockerfile", "kubernetes", "compose", "image"))


BROKEN = "apiVersion: v1\nkind: Pod\nmetadata: {name: x\nspec: [\n"


def test_unparseable_config_fails_under_exit_code_unless_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_text(BROKEN)
    code, out, _ = run(capsys, "config", str(tmp_path), "--exit-code", "3")
    assert code == 3
    assert out.count("bad.yaml") == 1  # the issue names its file once
    assert run(capsys, "config", str(tmp_path), "--exit-code", "3", "--skip-unparseable")[0] == 0
    assert run(capsys, "config", str(tmp_path))[0] == 0  # without --exit-code: an issue only
    # A Helm template is skipped on purpose: not a failure.
    (tmp_path / "bad.yaml").unlink()
    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart/templates/d.yaml").write_text(
        "kind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
    )
    assert run(capsys, "config", str(tmp_path), "--exit-code", "3")[0] == 0


def test_no_stray_output_file_when_the_scan_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "r.json"
    code, _, _ = run(capsys, "image", str(tmp_path / "missing.tar"), "-o", str(report))
    assert code == 2 and not report.exists()
    assert os.listdir(tmp_path) == []
