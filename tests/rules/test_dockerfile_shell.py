"""The RUN shell parser: what each command is, how it is joined, piped and wrapped."""

from __future__ import annotations

from hullguard.rules.dockerfile.parse import parse_dockerfile
from hullguard.rules.dockerfile.shell import commands, raw_words


def names(script: str) -> list[str]:
    return [c.name for c in commands(script)]


def test_sequencing_operators_are_recorded() -> None:
    cmds = commands("apt-get update && apt-get install -y curl || true; echo done & wait")
    assert [(c.name, c.joined_by) for c in cmds] == [
        ("apt-get", ""), ("apt-get", "&&"), ("true", "||"), ("echo", ";"), ("wait", "&"),
    ]


def test_pipes_know_their_reader() -> None:
    curl, sh = commands("curl -fsSL https://get.example | sh -s -- --yes")
    assert curl.piped_to == ("sh", "-s", "--", "--yes")
    assert sh.joined_by == "|" and sh.piped_to is None


def test_quotes_are_removed_as_the_shell_does() -> None:
    (c,) = commands("""pip install "requests==2.31.0" 'flask>=3' a\\ b x"y"'z'""")
    assert c.words == ("pip", "install", "requests==2.31.0", "flask>=3", "a b", "xyz")


def test_wrappers_and_assignments_are_set_aside() -> None:
    (c,) = commands("DEBIAN_FRONTEND=noninteractive sudo -u app -E env LANG=C apt-get install -y curl")
    assert c.words[:2] == ("apt-get", "install")
    assert c.raw[0] == "sudo"
    assert c.assignments == ("DEBIAN_FRONTEND=noninteractive",)
    assert raw_words("sudo apt-get update")[0][0] == "sudo"


def test_compound_commands_subshells_and_substitutions() -> None:
    script = "if [ -f x ]; then pip install a==1; fi; for i in 1 2; do echo $(id -u); done; (cd /src && make)"
    cmds = commands(script)
    assert names(script) == ["pip", "echo", "id", "cd", "make"]
    assert [c.in_subshell for c in cmds if c.name in ("cd", "make")] == [True, True]


def test_case_functions_and_broken_scripts_still_yield_commands() -> None:
    assert "apk" in names('case "$arch" in x86_64) apk add curl ;; *) exit 1 ;; esac')
    assert names("f() { wget -q x; }; f") == ["wget", "f"]
    assert "apt-get" in names("apt-get install -y curl && (echo unclosed")


def test_heredoc_bodies_are_parsed_as_scripts() -> None:
    df = parse_dockerfile(
        "FROM debian:12\nRUN <<EOF\nset -e\napt-get update\napt-get install -y curl\nEOF\n", "Dockerfile"
    )
    (run,) = df.all("RUN")
    assert [c.name for c in commands(run.script)] == ["set", "apt-get", "apt-get"]


def test_run_mount_options_and_onbuild_triggers() -> None:
    df = parse_dockerfile(
        "FROM debian:12\n"
        "RUN --mount=type=cache,target=/var/cache/apt \\\n    --mount=type=tmpfs,target=/tmp apt-get update\n"
        "ONBUILD RUN pip install x\n",
        "Dockerfile",
    )
    run, trigger = df.runs()
    assert [v for k, v in run.flags if k == "mount"] == ["type=cache,target=/var/cache/apt", "type=tmpfs,target=/tmp"]
    assert trigger.onbuild and trigger.keyword == "RUN" and df.all("RUN") == (run,)


def test_a_fragment_without_from_is_one_implicit_stage() -> None:
    df = parse_dockerfile("RUN apt-get update\n", "Dockerfile")
    assert df.final_stage.implicit and len(df.runs()) == 1
