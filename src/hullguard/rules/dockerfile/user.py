"""Dockerfile rules about who the image runs as and what it can reach."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullguard.rules.base import Violation, dockerfile_rule
from hullguard.rules.dockerfile.parse import Dockerfile, Instruction, Stage
from hullguard.rules.dockerfile.shell import commands, raw_words

ROOT_NAMES = frozenset({"root", "0"})
WORLD_WRITABLE = re.compile(r"^0?[0246]?[0-7]{2}[2367]$|(^|,)[ugoa]*[oa][ugoa]*[+=][rwxXst]*w")
"""Others may write, except with the sticky bit (`1777` is how /tmp is meant to be)."""
SETUID_MODE = re.compile(r"^0?[2-7][0-7]{3}$|(^|,)[ugoa]*\+[rwxXt]*s")


def effective_user(df: Dockerfile, stage: Stage) -> Instruction | None:
    return df.inherited(stage, "USER")


@dockerfile_rule("HG-DF-001")
def no_user(df: Dockerfile) -> Iterator[Violation]:
    stage = df.final_stage
    if not stage.implicit and effective_user(df, stage) is None:
        base = (
            "scratch has no users, so uid 0"
            if stage.image == "scratch"
            else "root unless its base sets a user"
        )
        yield Violation(f"the final stage has no USER: the image runs as {base}", stage.instruction.lines)


@dockerfile_rule("HG-DF-002")
def last_user_root(df: Dockerfile) -> Iterator[Violation]:
    user = effective_user(df, df.final_stage)
    if user is not None and user.value.split(":")[0].strip() in ROOT_NAMES:
        yield Violation(f"the last USER is {user.value.strip()}: the image runs as root", user.lines)


@dockerfile_rule("HG-DF-013")
def sudo(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.runs():
        if any(words[0] == "sudo" for words in raw_words(inst.script)):
            yield Violation("RUN uses sudo", inst.lines)


@dockerfile_rule("HG-DF-015")
def world_writable(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.runs():
        for cmd in commands(inst.script):
            if cmd.name == "chmod" and any(
                WORLD_WRITABLE.search(w) for w in cmd.words[1:] if not w.startswith("-")
            ):
                yield Violation(f"`{' '.join(cmd.words)[:80]}` makes files world-writable", inst.lines)
    for inst in (*df.all("COPY"), *df.all("ADD")):
        mode = inst.flag("chmod")
        if mode and WORLD_WRITABLE.search(mode):
            yield Violation(f"{inst.keyword} --chmod={mode} makes files world-writable", inst.lines)


@dockerfile_rule("HG-DF-042")
def setuid_bit(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.runs():
        for cmd in commands(inst.script):
            if cmd.name == "chmod" and any(
                SETUID_MODE.search(w) for w in cmd.words[1:] if not w.startswith("-")
            ):
                yield Violation(f"`{' '.join(cmd.words)[:80]}` sets a setuid/setgid bit", inst.lines)


@dockerfile_rule("HG-DF-016")
def ssh_port(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.all("EXPOSE"):
        if any(p.split("/")[0] == "22" for p in inst.value.split()):
            yield Violation("EXPOSE 22: SSH should not run in a container", inst.lines)


@dockerfile_rule("HG-DF-043")
def insecure_run(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.runs():
        if inst.flag("security") == "insecure":
            yield Violation("RUN --security=insecure runs the step with all capabilities", inst.lines)
        if inst.flag("network") == "host":
            yield Violation("RUN --network=host shares the build host's network", inst.lines)


RULES = (no_user, last_user_root, sudo, world_writable, setuid_bit, ssh_port, insecure_run)
