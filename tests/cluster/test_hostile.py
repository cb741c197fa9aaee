"""Hostile and malformed objects: every k8s subcommand finishes, reports issues, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.cli.main import main

HOSTILE = Path(__file__).parent / "fixtures" / "hostile.yaml"


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "--format", "json"],
        ["rbac", "--format", "sarif"],
        ["who-can", "get", "secrets"],
        ["netpol", "--exposure"],
        ["netpol", "-o", "dot"],
    ],
)
def test_hostile_input_is_reported_not_fatal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["k8s", *argv, str(HOSTILE)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "internal error" not in captured.err and "Traceback" not in captured.err


def test_hostile_policies_are_named_in_issues(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["k8s", "netpol", str(HOSTILE)]) == 0
    err = capsys.readouterr().err
    for name in (
        "NetworkPolicy x/np1",
        "NetworkPolicy x/np2",
        "AdminNetworkPolicy anp:",
        "AdminNetworkPolicy anp2:",
    ):
        assert name in err, err
