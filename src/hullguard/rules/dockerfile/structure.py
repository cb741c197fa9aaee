"""Dockerfile rules about instructions and stages: order, references, labels, layering."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullguard.rules.base import Violation, dockerfile_rule
from hullguard.rules.dockerfile.parse import Dockerfile, parse_pairs
from hullguard.rules.dockerfile.shell import commands

LABEL_KEY = re.compile(r"[a-z]([a-z0-9._/-]*[a-z0-9])?")
RESERVED_LABELS = ("com.docker.", "io.docker.", "org.dockerproject.")
WINDOWS_ABSOLUTE = re.compile(r"^[A-Za-z]:[\\/]")


@dockerfile_rule("HG-DF-065")
def copy_from_unknown_stage(df: Dockerfile) -> Iterator[Violation]:
    names: set[str] = set()
    count = 0
    for inst in df.instructions:
        if inst.keyword == "FROM" and not inst.onbuild:
            count += 1
            words = inst.value.split()
            if len(words) >= 3 and words[1].lower() == "as":
                names.add(words[2])
        source = inst.flag("from") if inst.keyword == "COPY" else None
        if source is None:
            continue
        source = source.strip("\"'")
        if ":" in source or source in names or (source.isdigit() and int(source) < count):
            continue
        if "/" in source or "." in source:
            continue  # an image reference (`--from=nginx/nginx`): pulled, not a stage
        yield Violation(f"COPY --from={source} names no earlier stage", inst.lines)


@dockerfile_rule("HG-DF-066")
def from_platform(df: Dockerfile) -> Iterator[Violation]:
    for stage in df.stages:
        platform = stage.instruction.flag("platform")
        if platform is not None and "BUILDPLATFORM" not in platform and "TARGETPLATFORM" not in platform:
            yield Violation(
                f"FROM --platform={platform} fixes the platform: builds for other targets get the wrong one",
                stage.instruction.lines,
            )


@dockerfile_rule("HG-DF-067")
def onbuild_chained(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.instructions:
        if inst.onbuild and inst.keyword in ("ONBUILD", "FROM", "MAINTAINER"):
            yield Violation(f"ONBUILD {inst.keyword} is not allowed", inst.lines)


@dockerfile_rule("HG-DF-068")
def env_self_reference(df: Dockerfile) -> Iterator[Violation]:
    known: set[str] = set()
    for inst in df.instructions:
        if inst.keyword == "ARG":
            known.update(name for name, _ in parse_pairs("ARG", inst.raw))
        if inst.keyword != "ENV":
            continue
        pairs = [(n, v or "") for n, v in parse_pairs("ENV", inst.raw)]
        for i, (name, _) in enumerate(pairs):
            others = [v for j, (_, v) in enumerate(pairs) if j != i]
            if name not in known and any("${" + name + "}" in v or re.search(rf"\${name}\b", v) for v in others):
                yield Violation(
                    f"ENV refers to ${name}, which this same ENV defines: it still has its old value", inst.lines
                )
                break
        known.update(n for n, _ in pairs)


@dockerfile_rule("HG-DF-069")
def copy_relative_without_workdir(df: Dockerfile) -> Iterator[Violation]:
    for stage in df.stages:
        workdir = df.inherited(stage, "WORKDIR") is not None and stage.all("WORKDIR") == ()
        for inst in stage.instructions:
            if inst.keyword == "WORKDIR":
                workdir = True
            if inst.keyword != "COPY" or inst.onbuild or workdir or not inst.words:
                continue
            dest = inst.value.split()[-1].strip("\"'")  # raw: a Windows path's backslashes are no escapes
            if dest.startswith(("/", "$")) or WINDOWS_ABSOLUTE.match(dest):
                continue
            yield Violation(f"COPY to the relative path {dest} with no WORKDIR set", inst.lines)


@dockerfile_rule("HG-DF-070")
def invalid_label_key(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.all("LABEL"):
        for key, _ in parse_pairs("LABEL", inst.raw):
            if (
                not LABEL_KEY.fullmatch(key)
                or key.startswith(RESERVED_LABELS)
                or ".." in key
                or "--" in key
            ):
                yield Violation(f"LABEL key {key!r} is not a valid lower-case, dotted key", inst.lines)


@dockerfile_rule("HG-DF-071")
def consecutive_runs(df: Dockerfile) -> Iterator[Violation]:
    previous = None
    for inst in df.instructions:
        if inst.keyword != "RUN" or inst.onbuild:
            previous = None
            continue
        count = len(commands(inst.script))
        # RUNs that chain several commands were split on purpose; two one-command RUNs were not.
        if previous is not None and previous[0] == inst.flags and count <= 1 and previous[1] <= 1 and inst.stage == previous[2]:
            yield Violation("consecutive RUN instructions: one RUN makes one layer", inst.lines)
        previous = (inst.flags, count, inst.stage)


@dockerfile_rule("HG-DF-072")
def instruction_before_from(df: Dockerfile) -> Iterator[Violation]:
    first = next((i for i in df.instructions if i.keyword not in ("ARG",)), None)
    if first is not None and first.keyword != "FROM":
        yield Violation(
            f"{first.keyword} before any FROM: a Dockerfile starts with FROM (ARG and comments may precede it)",
            first.lines,
        )


@dockerfile_rule("HG-DF-073")
def reserved_stage_name(df: Dockerfile) -> Iterator[Violation]:
    for stage in df.stages:
        if stage.alias and stage.alias.lower() in ("scratch", "context"):
            yield Violation(f"stage name {stage.alias} is a reserved word", stage.instruction.lines)


@dockerfile_rule("HG-DF-074")
def copy_whole_stage(df: Dockerfile) -> Iterator[Violation]:
    for inst in df.all("COPY"):
        words = [w.strip("\"'") for w in inst.words]
        if inst.flag("from") is not None and len(words) >= 2 and words[-1] == "/" and "/" in words[:-1]:
            yield Violation("COPY --from=... / /: the whole filesystem of another stage", inst.lines)


SENSITIVE_PARTS = ("api_key", "client_key", "password", "private", "secret", "token", "username", "access_key")
"""Name parts that say a variable holds a credential (hadolint's DL3064 list, plus AWS's access_key)."""


@dockerfile_rule("HG-DF-075")
def sensitive_build_variable(df: Dockerfile) -> Iterator[Violation]:
    for inst in (*df.all("ARG"), *df.all("ENV")):
        for name, _ in parse_pairs(inst.keyword, inst.raw):
            if any(part in name.lower() for part in SENSITIVE_PARTS):
                yield Violation(
                    f"{inst.keyword} {name}: its value is kept in the image's history and config", inst.lines
                )
                break


RULES = (
    copy_from_unknown_stage, from_platform, onbuild_chained, env_self_reference,
    copy_relative_without_workdir, invalid_label_key, consecutive_runs, instruction_before_from,
    reserved_stage_name, copy_whole_stage, sensitive_build_variable,
)
