"""Dockerfile rules about the images stages start FROM."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from hullguard import datafiles
from hullguard.rules.base import Violation, dockerfile_rule
from hullguard.rules.dockerfile.parse import Dockerfile, Stage
from hullguard.rules.imageref import ImageRef, end_of_life, parse_ref


def _bases(df: Dockerfile) -> Iterator[tuple[Stage, ImageRef]]:
    """Stages whose base is a real image: not scratch, not an earlier stage, not a build variable."""
    earlier: set[str] = set()
    for stage in df.stages:
        ref = parse_ref(stage.image or "scratch")
        if stage.implicit:
            continue
        if stage.image != "scratch" and stage.image.lower() not in earlier and not ref.unresolved:
            yield stage, ref
        if stage.alias:
            earlier.add(stage.alias.lower())


@dockerfile_rule("HG-DF-003")
def untagged_base(df: Dockerfile) -> Iterator[Violation]:
    for stage, ref in _bases(df):
        if ref.tag is None and ref.digest is None:
            yield Violation(f"FROM {stage.image} has no tag: it means :latest", stage.instruction.lines)


@dockerfile_rule("HG-DF-004")
def latest_base(df: Dockerfile) -> Iterator[Violation]:
    for stage, ref in _bases(df):
        if ref.tag == "latest" and ref.digest is None:
            yield Violation(f"FROM {stage.image} uses the moving :latest tag", stage.instruction.lines)


@dockerfile_rule("HG-DF-005")
def undigested_base(df: Dockerfile) -> Iterator[Violation]:
    for stage, ref in _bases(df):
        if ref.digest is None:
            yield Violation(
                f"FROM {stage.image} is not pinned by digest (@sha256:...)", stage.instruction.lines
            )


@dockerfile_rule("HG-DF-006")
def end_of_life_base(df: Dockerfile) -> Iterator[Violation]:
    for stage, ref in _bases(df):
        if found := end_of_life(ref):
            family, release, when = found
            since = f" since {when.isoformat()}" if when else ""
            yield Violation(
                f"FROM {stage.image}: {family} {release} is end of life{since} and gets no security fixes",
                stage.instruction.lines,
            )


@dockerfile_rule("HG-DF-028")
def duplicate_alias(df: Dockerfile) -> Iterator[Violation]:
    seen: set[str] = set()
    for stage in df.stages:
        if stage.alias:
            if stage.alias.lower() in seen:
                yield Violation(f"stage name {stage.alias} is used twice", stage.instruction.lines)
            seen.add(stage.alias.lower())




@functools.cache
def _variants() -> dict[str, str]:
    variants: dict[str, str] = datafiles.load("base-images.yaml")["variants"]
    return variants


@dockerfile_rule("HG-DF-076")
def smaller_base(df: Dockerfile) -> Iterator[Violation]:
    """Only the final stage: a build stage's size never reaches the image."""
    final = df.final_stage
    for stage, ref in _bases(df):
        official = ref.registry in (None, "docker.io", "index.docker.io")
        if stage is not final or not official or ref.digest is not None or not ref.tag or ref.tag == "latest":
            continue
        suffix = _variants().get(ref.repository.removeprefix("library/"))
        if suffix is None or any(v in ref.tag for v in ("slim", "alpine", "distroless", "jre", "cli", "minimal")):
            continue
        yield Violation(
            f"FROM {stage.image}: the {ref.tag}{suffix} variant of the same runtime ships far fewer packages "
            "(and their vulnerabilities)",
            stage.instruction.lines,
        )


RULES = (untagged_base, latest_base, undigested_base, end_of_life_base, duplicate_alias, smaller_base)
