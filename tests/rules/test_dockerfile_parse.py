"""The Dockerfile parser: continuations, heredocs, directives, forms, stages, substitution, lines."""

from __future__ import annotations

import pytest

from hullguard.rules.dockerfile.parse import DockerfileError, expand, parse_dockerfile
from hullguard.rules.dockerfile.shell import commands

TEXT = """\
# syntax=docker/dockerfile:1
# escape=\\
ARG VERSION=3.20
FROM alpine:${VERSION} AS build
# a comment
RUN apk add --no-cache \\
      curl \\
# a comment inside a continuation
      git
RUN <<EOF
set -e
echo hi
EOF
COPY --from=build --chown=1:1 ["a b", "/dst/"]
FROM build
ENV A=1 B="two words"
ENV LEGACY some value
CMD ["run", "--fast"]
"""


def test_instructions_lines_and_forms() -> None:
    df = parse_dockerfile(TEXT, "Dockerfile")
    assert df.directives == (("syntax", "docker/dockerfile:1"), ("escape", "\\"))
    keywords = [(i.keyword, i.start_line, i.end_line) for i in df.instructions]
    assert keywords == [
        ("ARG", 3, 3), ("FROM", 4, 4), ("RUN", 6, 9), ("RUN", 10, 13), ("COPY", 14, 14),
        ("FROM", 15, 15), ("ENV", 16, 16), ("ENV", 17, 17), ("CMD", 18, 18),
    ]  # fmt: skip
    run = df.instructions[2]
    assert run.words == ("apk", "add", "--no-cache", "curl", "git")
    heredoc = df.instructions[3]
    assert heredoc.heredocs[0].body == "set -e\necho hi"
    copy = df.instructions[4]
    assert copy.flag("from") == "build" and copy.flag("chown") == "1:1"
    assert copy.exec_form == ("a b", "/dst/")
    assert df.instructions[-1].exec_form == ("run", "--fast")


def test_stages_and_substitution() -> None:
    df = parse_dockerfile(TEXT, "Dockerfile")
    assert [(s.image, s.alias) for s in df.stages] == [("alpine:3.20", "build"), ("build", None)]
    assert df.final_stage.last("ENV") is not None
    assert df.stages[0].lines == (4, 14)


def test_windows_escape_directive() -> None:
    df = parse_dockerfile(
        "# escape=`\nFROM mcr.microsoft.com/windows:ltsc2022\nRUN dir `\n  C:\\\\\n", "Dockerfile"
    )
    assert df.instructions[1].end_line == 4


@pytest.mark.parametrize(
    ("text", "env", "out"),
    [
        ("${A}", {"A": "1"}, "1"),
        ("$A/x", {"A": "1"}, "1/x"),
        ("${A:-d}", {}, "d"),
        ("${A:+alt}", {"A": "1"}, "alt"),
        ("${A:+alt}", {}, ""),
        ("${UNKNOWN}", {}, "${UNKNOWN}"),
    ],
)
def test_expand(text: str, env: dict[str, str], out: str) -> None:
    assert expand(text, env) == out


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("# only a comment\n", "no instructions"),
        ("FROM a\n{{ template }}\n", r"Dockerfile:2: expected an instruction"),
        ("FROM a\nRUN <<EOF\necho\n", "never terminated"),
        ("# escape=x\nFROM a\n", "escape directive"),
    ],
)
def test_bad_input_names_file_and_line(text: str, error: str) -> None:
    with pytest.raises(DockerfileError, match=error):
        parse_dockerfile(text, "Dockerfile")


def test_shell_commands_see_pipes_and_wrappers() -> None:
    cmds = commands(
        "set -eux; DEBIAN_FRONTEND=noninteractive sudo apt-get install -y x && curl -s https://x | bash"
    )
    assert [c.name for c in cmds] == ["set", "apt-get", "curl", "bash"]
    assert cmds[2].piped_to == ("bash",)
    assert cmds[1].sub("install") and cmds[1].has_short("y")
