"""Image-config rules: what an image's config and history say about how it will run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from hullguard.model import OS
from hullguard.rules.base import Violation, image_rule
from hullguard.rules.secretnames import looks_secret, redact
from hullguard.sources.image import ImageConfig

ASSIGNMENT = re.compile(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|\S+)")
MAX_LISTED = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageFacts:
    name: str
    config: ImageConfig
    os: OS | None = None
    setid_files: tuple[tuple[str, int], ...] = ()
    """(path, mode) of regular files with the setuid or setgid bit, in the final file system."""


@image_rule("HG-IMG-001")
def runs_as_root(img: ImageFacts) -> Iterator[Violation]:
    user = img.config.user.split(":")[0].strip()
    if user in ("", "root", "0"):
        yield Violation(f"the image runs as {user or 'root (no User set)'}")


@image_rule("HG-IMG-002")
def no_healthcheck(img: ImageFacts) -> Iterator[Violation]:
    test = img.config.healthcheck
    if not test or test[0] == "NONE":
        yield Violation("the image config has no Healthcheck")


@image_rule("HG-IMG-003")
def secret_in_env(img: ImageFacts) -> Iterator[Violation]:
    for item in img.config.env:
        name, _, value = item.partition("=")
        if looks_secret(name, value):
            yield Violation(
                f"Env {name}={redact(value)} holds a credential readable by anyone who pulls the image"
            )


@image_rule("HG-IMG-004")
def secret_in_history(img: ImageFacts) -> Iterator[Violation]:
    for n, step in enumerate(img.config.history):
        for m in ASSIGNMENT.finditer(step.created_by):
            name, value = m.group(1), m.group(2).strip("\"'")
            if looks_secret(name, value):
                yield Violation(
                    f"history step {n} records {name}={redact(value)} (a build argument or ENV value)"
                )


@image_rule("HG-IMG-005")
def setid_files(img: ImageFacts) -> Iterator[Violation]:
    if img.setid_files:
        listed = ", ".join(f"/{p} ({m & 0o7777:04o})" for p, m in img.setid_files[:MAX_LISTED])
        more = f" and {len(img.setid_files) - MAX_LISTED} more" if len(img.setid_files) > MAX_LISTED else ""
        yield Violation(f"{len(img.setid_files)} setuid/setgid files: {listed}{more}")


@image_rule("HG-IMG-006")
def ssh_exposed(img: ImageFacts) -> Iterator[Violation]:
    if any(p.split("/")[0] == "22" for p in img.config.exposed_ports):
        yield Violation("the image exposes port 22 (SSH)")


@image_rule("HG-IMG-007")
def end_of_life_os(img: ImageFacts) -> Iterator[Violation]:
    os = img.os
    if os is not None and os.eol:
        since = f" since {os.eol_date.isoformat()}" if os.eol_date else ""
        yield Violation(f"{os.family} {os.version} is end of life{since}: no more security fixes")


RULES = (
    runs_as_root,
    no_healthcheck,
    secret_in_env,
    secret_in_history,
    setid_files,
    ssh_exposed,
    end_of_life_os,
)
