"""Packagist (Composer) versions, ordered as PHP's version_compare orders them.

The text is canonicalised (`-`, `_`, `+` become `.`; a `.` goes between digits and letters),
then compared part by part: numbers numerically, words by their rank
dev < alpha=a < beta=b < RC=rc < # (any number) < pl=p, unknown words lowest.
"""

from __future__ import annotations

from hullguard.versions.base import Scheme

_SPECIAL = (
    ("dev", 0),
    ("alpha", 1),
    ("a", 1),
    ("beta", 2),
    ("b", 2),
    ("RC", 3),
    ("rc", 3),
    ("#", 4),
    ("pl", 5),
    ("p", 5),
)


def canonicalize(text: str) -> tuple[str, ...]:
    version = text.strip()
    if version[:1] in ("v", "V"):
        version = version[1:]
    out: list[str] = []
    for c in version:
        if c in "-_+":
            out.append(".")
            continue
        if out and out[-1] != "." and c != "." and (out[-1][-1:].isdigit() != c.isdigit()):
            out.append(".")
        out.append(c)
    return tuple(p for p in "".join(out).split(".") if p)


def _rank(form: str) -> int:
    for name, order in _SPECIAL:
        if form.startswith(name):
            return order
    return -6


def _compare_part(a: str, b: str) -> int:
    if a.isdigit() and b.isdigit():
        x, y = int(a), int(b)
        return (x > y) - (x < y)
    ra = _rank("#" if a.isdigit() else a)
    rb = _rank("#" if b.isdigit() else b)
    return (ra > rb) - (ra < rb)


def compare(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    for x, y in zip(a, b, strict=False):
        result = _compare_part(x, y)
        if result:
            return result
    # What is left of the longer one compares against "#" (any number), part by part.
    if len(a) > len(b):
        rest = a[len(b) :]
        return 1 if rest[0].isdigit() else compare(rest, ("#",))
    if len(b) > len(a):
        rest = b[len(a) :]
        return -1 if rest[0].isdigit() else compare(("#",), rest)
    return 0


def parse_key(text: str) -> tuple[str, ...]:
    parts = canonicalize(text)
    if not parts:
        raise ValueError("empty version")
    return parts


SCHEME = Scheme(name="packagist", parse_key=parse_key, cmp=compare)
