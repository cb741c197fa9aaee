"""An image's history read back as a Dockerfile, so the RUN-level Dockerfile rules can judge it."""

from __future__ import annotations

import re

from hullguard.rules.base import RuleId
from hullguard.rules.dockerfile.parse import Dockerfile, DockerfileError, parse_dockerfile
from hullguard.sources.image import ImageConfig

HISTORY_RULES: tuple[RuleId, ...] = tuple(
    RuleId(r)
    for r in ("HG-DF-009", "HG-DF-013", "HG-DF-015", "HG-DF-034", "HG-DF-035", "HG-DF-036", "HG-DF-042")
)
"""Dockerfile rules whose evidence survives in history: what RUN executed and what ENV set."""
NOP = re.compile(r"^/bin/sh -c #\(nop\)\s*")
SHELL = re.compile(r"^(?:\|\d+(?: [A-Za-z_][A-Za-z0-9_]*=\S*)* )?/bin/(?:ba)?sh -c ")
KEYWORDS = frozenset(
    [
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    ]
)


def instruction_of(created_by: str) -> str:
    """One Dockerfile line for one history step, from the classic builder's or BuildKit's wording."""
    text = created_by.strip().removesuffix("# buildkit").strip()
    if m := NOP.match(text):
        text = text[m.end() :]
    elif m := SHELL.match(text):
        text = "RUN " + text[m.end() :]
    keyword, _, rest = text.partition(" ")
    if keyword not in KEYWORDS:
        text = "RUN " + text
    elif keyword == "RUN" and (m := SHELL.match(rest)):
        text = "RUN " + rest[m.end() :]
    return " ".join(text.replace("\\\n", " ").split("\n")).rstrip("\\ ")


def history_dockerfile(config: ImageConfig, name: str) -> tuple[Dockerfile, dict[int, int]] | None:
    """The history as a parsed Dockerfile, and each of its lines' history step (1-based)."""
    lines, steps = ["FROM scratch"], {}
    for n, step in enumerate(config.history, start=1):
        if step.created_by.strip():
            steps[len(lines) + 1] = n
            lines.append(instruction_of(step.created_by))
    try:
        return parse_dockerfile("\n".join(lines) + "\n", f"{name} (history)"), steps
    except DockerfileError:
        return None
