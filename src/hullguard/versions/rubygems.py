"""RubyGems versions, ordered as Gem::Version orders them: numbers and words, a word marking
a prerelease, trailing zeros of the release and prerelease parts ignored."""

from __future__ import annotations

import re

from hullguard.versions.base import Scheme

_VALID = re.compile(r"^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$")
_SEGMENT = re.compile(r"[0-9]+|[a-z]+", re.IGNORECASE)

Segments = tuple[int | str, ...]


def parse_key(text: str) -> Segments:
    version = text.strip()
    if not _VALID.match(version):
        raise ValueError(f"{text!r} is not a RubyGems version")
    version = version.replace("-", ".pre.")
    segments: list[int | str] = [int(s) if s.isdigit() else s for s in _SEGMENT.findall(version)]
    first_word = next((i for i, s in enumerate(segments) if isinstance(s, str)), len(segments))
    release, pre = segments[:first_word], segments[first_word:]
    return (*_drop_trailing_zeros(release), *_drop_trailing_zeros(pre))


def _drop_trailing_zeros(segments: list[int | str]) -> list[int | str]:
    while segments and segments[-1] == 0:
        segments = segments[:-1]
    return segments


def compare(a: Segments, b: Segments) -> int:
    for i in range(max(len(a), len(b))):
        left = a[i] if i < len(a) else 0
        right = b[i] if i < len(b) else 0
        if left == right:
            continue
        if isinstance(left, str) and isinstance(right, int):
            return -1
        if isinstance(left, int) and isinstance(right, str):
            return 1
        return -1 if left < right else 1  # type: ignore[operator]
    return 0


SCHEME = Scheme(name="rubygems", parse_key=parse_key, cmp=compare)
