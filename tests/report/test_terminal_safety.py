"""Strings from scanned content never reach a terminal raw: escape sequences in package names,
versions, paths, licences and history steps are shown neutralised in tables and messages, and
escaped in every JSON format."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.model import Digest, Issue, Location, Misconfiguration, RuleId, Severity, Vulnerability, VulnId
from hullguard.report import formats, writer_for
from hullguard.report.terminal import neutralise
from tests.report.factories import make_package, make_report

OSC_TITLE = "\x1b]0;pwned\x07"
OSC_LINK = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
CSI_CLEAR = "\x1b[2J\x1b[31m"
C1_CSI = "\x9b31m"
BIDI = "\u202eevil\u202c"
HOSTILE = (OSC_TITLE, OSC_LINK, CSI_CLEAR, C1_CSI, BIDI, "a\rb", "\x00\x08\x7f")
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What must never appear in output: every control but the newline, and bidi overrides."""


@pytest.mark.parametrize("text", HOSTILE)
def test_neutralise_leaves_no_control_character(text: str) -> None:
    shown = neutralise(text)
    assert not RAW.search(shown) and "\n" not in shown
    assert "\\x" in shown or "\\u" in shown


def test_neutralise_shows_what_was_there_and_keeps_the_rest() -> None:
    assert neutralise("lib\x1b[31mc6 1.0 — ü") == "lib\\x1b[31mc6 1.0 — ü"
    assert neutralise("a\nb", newlines=True) == "a\nb"
    assert neutralise("a\nb") == "a\\x0ab"
    assert neutralise("\u202e") == "\\u202e"


def _hostile_report() -> object:
    evil = "".join(HOSTILE)
    package = make_package(name=f"pkg{evil}", version=f"1.0{CSI_CLEAR}", source_name=f"src{OSC_TITLE}",
                           licenses=(f"MIT{OSC_LINK}",), path=f"usr/lib/{BIDI}/METADATA")
    layer = Digest("sha256:" + "1" * 64)
    findings = (
        Vulnerability(id=VulnId(f"CVE-2024-0001{C1_CSI}"), severity=Severity.HIGH, title=f"title{OSC_TITLE}",
                      package=package, fixed_version=f"2.0{CSI_CLEAR}", layer_created_by=f"RUN {OSC_LINK}",
                      location=Location(layer=layer)),
        Misconfiguration(id=RuleId("HG-DF-002"), severity=Severity.MEDIUM, title="t", message=f"USER {CSI_CLEAR}",
                         location=Location(path=f"Dockerfile{OSC_TITLE}", start_line=3)),
    )
    base = make_report()
    return make_report(
        packages=(package, *(base.packages or ())),
        findings=findings,
        issues=(Issue(stage="analyzer", path=f"var/lib/{OSC_TITLE}", message=f"cannot parse {CSI_CLEAR}"),),
    )


@pytest.mark.parametrize("fmt", formats())
def test_no_format_lets_a_control_character_through(fmt: str) -> None:
    out = io.StringIO()
    writer_for(fmt)(_hostile_report(), out)  # type: ignore[arg-type]
    text = out.getvalue()
    assert "pkg" in text
    assert RAW.search(text) is None, repr(RAW.search(text))


def test_the_table_shows_the_escapes(tmp_path: Path) -> None:
    out = io.StringIO()
    writer_for("table")(_hostile_report(), out)  # type: ignore[arg-type]
    assert "\\x1b]0;pwned\\x07" in out.getvalue()


def test_cli_scan_of_hostile_names_and_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A real fs scan: a Python distribution named with escape sequences, and a secret in a
    file whose name carries an OSC sequence; then an error message naming such a path."""
    site = tmp_path / "usr/lib/python3/dist-packages"
    info = site / "evil-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: evil{OSC_TITLE}\nVersion: 1.0{CSI_CLEAR}\n")
    (tmp_path / f"notes{OSC_TITLE}.env").write_text("AWS_ACCESS_KEY_ID=AKIAQYLPMN5HHHFPZAM2\n")
    for fmt in ("table", "json", "sarif"):
        main(["fs", str(tmp_path), "--format", fmt, "--scanners", "secret", "--cache-dir", str(tmp_path / ".c")])
        out, err = capsys.readouterr()
        assert "notes" in out and ("evil" in out or fmt != "json")
        assert RAW.search(out) is None and RAW.search(err) is None, fmt
    assert main(["fs", str(tmp_path / f"missing{OSC_TITLE}")]) == 2
    assert RAW.search(capsys.readouterr().err) is None
