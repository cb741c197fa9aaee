"""Dockerfile rules about instructions themselves: ADD, COPY, WORKDIR, HEALTHCHECK, EXPOSE, ..."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullguard.rules.base import Violation, dockerfile_rule
from hullguard.rules.dockerfile.parse import Dockerfile, Instruction
from hullguard.rules.dockerfile.shell import commands

URL = re.compile(r"^(https?|ftp)://", re.I)
GIT = re.compile(r"^(git@|git://|.*\.git(#.*)?$)")
ARCHIVE = re.compile(r"\.(tar|tar\.(gz|bz2|xz|zst|lz|lzma|z)|tgz|tbz2?|txz|tlz|gz|bz2|xz|zst|lz|lzma|z)$", re.I)
"""What ADD unpacks (tar, possibly compressed; and, as hadolint counts them, bare compressed files)."""


def _sources(inst: Instruction) -> tuple[str, ...]:
    words = inst.words
    return words[:-1] if len(words) > 1 and not inst.heredocs else ()


@dockerfile_rule("HG-DF-007")
def add_instead_of_copy(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.all("ADD"):
        sources = _sources(inst)
        if sources and not any(URL.match(s) or GIT.match(s) or ARCHIVE.search(s) for s in sources):
            yield Violation(
                "ADD of local files: COPY does the same without archive and URL magic", inst.lines
            )


@dockerfile_rule("HG-DF-008")
def add_url(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.all("ADD"):
        if any(URL.match(s) for s in _sources(inst)) and inst.flag("checksum") is None:
            yield Violation("ADD downloads a URL without --checksum: its content is not verified", inst.lines)


@dockerfile_rule("HG-DF-017")
def no_healthcheck(df: Dockerfile) -> Iterator[Violation]:
    stage = df.final_stage
    if df.inherited(stage, "HEALTHCHECK") is None:
        yield Violation(
            "no HEALTHCHECK: the runtime cannot tell a hung service from a healthy one",
            stage.instruction.lines,
        )


@dockerfile_rule("HG-DF-018")
def copy_all_without_dockerignore(df: Dockerfile) -> Iterator[Violation]:
    if df.dockerignore is not False:
        return
    for inst in (*df.all("COPY"), *df.all("ADD")):
        if inst.flag("from") is None and any(s in (".", "./", "*") for s in _sources(inst)):
            yield Violation(
                f"{inst.keyword} {inst.value} copies the whole build context and there is no .dockerignore",
                inst.lines,
            )


@dockerfile_rule("HG-DF-021")
def maintainer(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.all("MAINTAINER"):
        yield Violation("MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors", inst.lines)


@dockerfile_rule("HG-DF-022")
def relative_workdir(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.all("WORKDIR"):
        path = inst.value.strip().strip("\"'")
        if not (path.startswith("/") or path.startswith("$") or re.match(r"^[A-Za-z]:[\\/]", path)):
            yield Violation(f"WORKDIR {path} is relative: where it lands depends on the base", inst.lines)


def _repeated(df: Dockerfile, keyword: str) -> Iterator[Violation]:
    for stage in df.stages:
        found = stage.all(keyword)
        for inst in found[:-1]:
            yield Violation(f"more than one {keyword} in a stage: only the last takes effect", inst.lines)


@dockerfile_rule("HG-DF-023")
def multiple_entrypoints(df: Dockerfile) -> Iterator[Violation]:
    yield from _repeated(df, "ENTRYPOINT")


@dockerfile_rule("HG-DF-024")
def multiple_cmds(df: Dockerfile) -> Iterator[Violation]:
    yield from _repeated(df, "CMD")


@dockerfile_rule("HG-DF-025")
def multiple_healthchecks(df: Dockerfile) -> Iterator[Violation]:
    yield from _repeated(df, "HEALTHCHECK")


@dockerfile_rule("HG-DF-026")
def port_out_of_range(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.all("EXPOSE"):
        for port in inst.value.split():
            for number in port.split("/")[0].split("-"):
                if number.isdigit() and not 0 < int(number) <= 65535:
                    yield Violation(f"EXPOSE {port}: ports are 1 to 65535", inst.lines)


@dockerfile_rule("HG-DF-027")
def copy_from_self(df: Dockerfile) -> Iterator[Violation]:
    for stage in df.stages:
        for inst in stage.all("COPY"):
            source = inst.flag("from")
            if source and stage.alias and source.lower() == stage.alias.lower():
                yield Violation(f"COPY --from={source} names the stage it is in", inst.lines)


@dockerfile_rule("HG-DF-029")
def run_cd(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.all("RUN"):  # an ONBUILD trigger's cd is the child build's business
        if any(c.name == "cd" for c in commands(inst.script)):
            yield Violation(
                "RUN cd ...: use WORKDIR, which later instructions see too, to switch directory", inst.lines
            )


@dockerfile_rule("HG-DF-040")
def copy_many_to_file(df: Dockerfile) -> Iterator[Violation]:
    for inst in (*df.all("COPY"), *df.all("ADD")):
        words = inst.words
        if len(words) > 2 and not inst.heredocs and not words[-1].endswith("/"):
            yield Violation(f"{inst.keyword} of several sources needs a destination ending in /", inst.lines)


@dockerfile_rule("HG-DF-041")
def shell_form_entrypoint(df: Dockerfile) -> Iterator[Violation]:
    for inst in (*df.all("ENTRYPOINT"), *df.all("CMD")):
        if inst.exec_form is None and inst.value.strip():
            yield Violation(
                f"{inst.keyword} in shell form: PID 1 is /bin/sh, which does not forward signals", inst.lines
            )


RULES = (
    add_instead_of_copy,
    add_url,
    no_healthcheck,
    copy_all_without_dockerignore,
    maintainer,
    relative_workdir,
    multiple_entrypoints,
    multiple_cmds,
    multiple_healthchecks,
    port_out_of_range,
    copy_from_self,
    run_cd,
    copy_many_to_file,
    shell_form_entrypoint,
)
