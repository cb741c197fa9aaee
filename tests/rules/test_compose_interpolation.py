"""Compose interpolation and `.env` parsing, by payload tables; then end to end through `scan_config`."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.rules.compose.interpolate import Interpolator, parse_dotenv
from hullguard.rules.engine import ConfigOptions, scan_config

ENV = {"SET": "value", "EMPTY": "", "FALLBACK": "fallback"}

CASES = [
    ("$SET", "value", None),
    ("${SET}", "value", None),
    ("${SET}_x", "value_x", None),
    ("$SET_x", "", "variable SET_x is not set"),
    ("pre-$SET-post", "pre-value-post", None),
    ("${UNSET}", "", "variable UNSET is not set"),
    ("$UNSET", "", "variable UNSET is not set"),
    ("${UNSET:-d}", "d", None),
    ("${EMPTY:-d}", "d", None),
    ("${SET:-d}", "value", None),
    ("${UNSET-d}", "d", None),
    ("${EMPTY-d}", "", None),
    ("${SET:+alt}", "alt", None),
    ("${EMPTY:+alt}", "", None),
    ("${EMPTY+alt}", "alt", None),
    ("${UNSET+alt}", "", None),
    ("${SET:?boom}", "value", None),
    ("${UNSET:?boom}", "", "required variable UNSET is missing a value: boom"),
    ("${EMPTY:?boom}", "", "required variable EMPTY is missing a value: boom"),
    ("${EMPTY?boom}", "", None),
    ("${UNSET?boom}", "", "required variable UNSET is missing a value: boom"),
    ("${UNSET?$FALLBACK}", "", "missing a value: fallback"),
    ("$$SET", "$SET", None),
    ("$${SET}", "${SET}", None),
    ("a$$b", "a$b", None),
    ("${UNSET:-${SET}}", "value", None),
    ("${UNSET:-${OTHER:-deep}}", "deep", None),
    ("${SET:-${UNSET}}", "value", None),  # an unused default is not evaluated: no problem
    ("${UNSET:-a}b}", "ab}", None),
    ("${UNSET:-$$}", "$", None),
    ("cost $5 or $ 6", "cost $5 or $ 6", None),
    ("${SET", "${SET", "invalid interpolation format"),
    ("${SET/a/b}", "${SET/a/b}", "invalid interpolation format"),
    ("${}", "${}", "invalid interpolation format"),
]


@pytest.mark.parametrize(("text", "expected", "problem"), CASES)
def test_interpolation(text: str, expected: str, problem: str | None) -> None:
    interp = Interpolator(ENV)
    assert interp.text(text) == expected
    messages = [m for _, m in interp.problems]
    if problem is None:
        assert messages == []
    else:
        assert len(messages) == 1 and problem in messages[0]


def test_tree_interpolates_values_not_keys_and_casts_booleans() -> None:
    interp = Interpolator({"P": "yes", "K": "k"})
    data = {"services": {"web": {"privileged": "${P}", "read_only": "off", "labels": {"$K": "$K"}}}}
    assert interp.tree(data) == {
        "services": {"web": {"privileged": True, "read_only": False, "labels": {"$K": "k"}}}
    }


def test_dotenv_syntax() -> None:
    text = "\n".join(
        [
            "# comment",
            "",
            "A=plain",
            "export B = spaced ",
            "C=v # comment",
            "D=v# not a comment",
            "E='literal $A # kept'",
            'F="interpolated $A\\tand ${UNSET:-d}" # comment',
            'G="two',
            'lines"',
            "H=${A}-${B}",
            "I=",
            "J",
            "not valid",
            "K='open",
        ]
    )
    env, problems = parse_dotenv(text)
    assert env == {
        "A": "plain",
        "B": "spaced",
        "C": "v",
        "D": "v# not a comment",
        "E": "literal $A # kept",
        "F": "interpolated plain\tand d",
        "G": "two\nlines",
        "H": "plain-spaced",
        "I": "",
    }
    assert [n for n, _ in problems] == [14, 15]


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_rules_see_interpolated_values_at_the_original_lines(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".env": "NET=host\nSOCK=/var/run/docker.sock\n",
            "compose.yaml": "services:\n  web:\n    image: web:1.0\n"
            "    privileged: ${PRIV:-true}\n"
            "    network_mode: ${NET}\n"
            "    volumes:\n    - ${SOCK}:/var/run/docker.sock\n"
            "    user: ${APP_USER}\n",
        },
    )
    result = scan_config(tmp_path, ConfigOptions())
    lines = {f.id: f.location.start_line for f in result.findings}
    assert lines["HG-DC-001"] == 4
    assert lines["HG-DC-002"] == 5
    assert lines["HG-DC-003"] == 7
    # APP_USER is unset: an empty user (so no user), and an issue naming the variable and line
    assert [i.message for i in result.issues] == [
        "compose.yaml:8: variable APP_USER is not set; read as an empty string"
    ]
    assert "HG-DC-005" in lines


def test_env_file_is_not_used_for_interpolation(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app.env": "NET=host\n",
            "compose.yaml": "services:\n  web:\n    image: web:1.0\n    env_file: app.env\n"
            "    network_mode: ${NET:-bridge}\n",
        },
    )
    assert "HG-DC-002" not in {f.id for f in scan_config(tmp_path, ConfigOptions()).findings}
    (tmp_path / ".env").write_text("NET=host\n")
    assert "HG-DC-002" in {f.id for f in scan_config(tmp_path, ConfigOptions()).findings}


def test_a_bad_env_line_is_an_issue_and_the_scan_goes_on(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {".env": "P=true\n!bad\n", "compose.yaml": "services:\n  web:\n    image: w:1\n    privileged: $P\n"},
    )
    result = scan_config(tmp_path, ConfigOptions())
    assert "HG-DC-001" in {f.id for f in result.findings}
    assert len(result.issues) == 1 and result.issues[0].message.startswith(".env:2: not a variable")
