"""Progress everywhere a user waits (fs, config, sbom, db, signing) on a terminal only, and
-q silencing everything but the report."""

from __future__ import annotations

import io
from argparse import Namespace
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.cli.progress import activity, start_activity
from hullguard.vulndb.bundled import bundled_dir
from tests.support.terminal import run_on_terminal


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_spinner_only_on_a_terminal_and_never_with_quiet() -> None:
    err = _Terminal()
    with activity(Namespace(quiet=False), "importing advisories", err) as shown:
        shown.update("100 records")
    assert "importing advisories" in err.getvalue()
    for args, stream in ((Namespace(quiet=True), _Terminal()), (Namespace(quiet=False), io.StringIO())):
        with activity(args, "importing advisories", stream):
            pass
        assert stream.getvalue() == ""
    args = Namespace(quiet=False)
    start_activity(args, "scanning", _Terminal())
    assert hasattr(args, "progress_bar")  # so that `emit` takes it off the screen


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text("FROM debian:12\n")
    return tmp_path


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        (("fs", "{tree}", "-f", "json", "--offline", "--cache-dir", "{tree}/c"), b"scanning"),
        (("config", "{tree}", "-f", "json"), b"checking"),
        (("db", "import", str(bundled_dir()), "--cache-dir", "{tree}/c"), b"importing advisories"),
    ],
)
def test_the_commands_show_progress_on_a_terminal_and_nothing_with_q(
    tree: Path, command: tuple[str, ...], shown: bytes
) -> None:
    argv = [a.format(tree=tree) for a in command]
    code, out, terminal = run_on_terminal(argv)
    assert code == 0 and shown in terminal, terminal
    if argv[0] != "db":
        assert out.lstrip().startswith(b"{")
    code, out, terminal = run_on_terminal([*argv, "-q"])
    assert code == 0 and terminal == b"", terminal


def test_q_silences_the_notes_of_key_generation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COSIGN_PASSWORD", "pw")
    monkeypatch.chdir(tmp_path)
    assert main(["key", "generate", "--output-key-prefix", "a"]) == 0
    assert "Private key written to a.key" in capsys.readouterr().err
    assert main(["key", "generate", "--output-key-prefix", "b", "-q"]) == 0
    assert capsys.readouterr().err == ""
