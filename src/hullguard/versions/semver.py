"""SemVer 2.0 as npm, crates.io, Hex and Go use it (lenient: a leading `v`, missing minor or
patch count as 0, numbers past the third join the build); Pub's variant orders builds too."""

from __future__ import annotations

import re

from hullguard.versions.base import Scheme

_SEMVER = re.compile(
    r"^[vV]?(?P<major>\d+)(?:\.(?P<minor>\d+))?(?:\.(?P<patch>\d+))?"
    r"(?:-(?P<pre>[0-9A-Za-z.-]*))?(?:[+.](?P<build>.*))?$"
)

Identifiers = tuple[tuple[int, int | str], ...]


def identifiers(text: str, fold_case: bool = False) -> Identifiers:
    """Dot-separated identifiers: numbers order numerically and before words."""
    out: list[tuple[int, int | str]] = []
    for part in text.split("."):
        if part.isdigit():
            out.append((0, int(part)))
        else:
            out.append((1, part.lower() if fold_case else part))
    return tuple(out)


def _core(text: str) -> tuple[int, int, int, tuple[object, ...], str | None]:
    match = _SEMVER.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a SemVer version")
    pre = match.group("pre")
    # A release sorts after every prerelease of the same core version.
    pre_key: tuple[object, ...] = (1,) if pre is None else (0, identifiers(pre))
    return (
        int(match.group("major")),
        int(match.group("minor") or 0),
        int(match.group("patch") or 0),
        pre_key,
        match.group("build"),
    )


def parse_key(text: str) -> tuple[object, ...]:
    return _core(text)[:4]


def parse_pub_key(text: str) -> tuple[object, ...]:
    major, minor, patch, pre, build = _core(text)
    build_key = (0,) if build is None else (1, identifiers(build))
    return major, minor, patch, pre, build_key


SCHEME = Scheme(name="semver", parse_key=parse_key)
GO = Scheme(name="go", parse_key=parse_key)
PUB = Scheme(name="pub", parse_key=parse_pub_key)
