"""NuGet versions: up to four numbers, a case-insensitive SemVer prerelease, build ignored."""

from __future__ import annotations

import re

from hullguard.versions.base import Scheme
from hullguard.versions.semver import identifiers

_NUGET = re.compile(r"^[vV]?(?P<nums>\d+(?:\.\d+){0,3})(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+.*)?$")


def parse_key(text: str) -> tuple[object, ...]:
    match = _NUGET.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a NuGet version")
    nums = [int(n) for n in match.group("nums").split(".")]
    nums += [0] * (4 - len(nums))
    pre = match.group("pre")
    return (*nums, (1,) if pre is None else (0, identifiers(pre, fold_case=True)))


SCHEME = Scheme(name="nuget", parse_key=parse_key)
