"""Alpine (apk) versions: `number{.number}...{letter}{_suffix{N}}...{~hash}{-rN}`.

Compared part by part: numbers (after the first, a leading zero makes the part compare as
text), the letter, the suffixes (alpha < beta < pre < rc < none < cvs < svn < git < hg < p),
the `-r` revision. Text that does not fit the pattern is kept as an unparsed remainder; two
such versions compare as text, as osv.dev's reference implementation does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hullguard.versions.base import Scheme

_NUMBERS = re.compile(r"^(?:\d+\.?)*")
_SUFFIX = re.compile(r"_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(\d*)")
_HASH = re.compile(r"^~[0-9a-f]+")
_REVISION = re.compile(r"^-r(\d*)")
_SUFFIX_RANK = {
    "alpha": 0,
    "beta": 1,
    "pre": 2,
    "rc": 3,
    "": 4,
    "cvs": 5,
    "svn": 6,
    "git": 7,
    "hg": 8,
    "p": 9,
}
_NO_SUFFIX = (_SUFFIX_RANK[""], 0)


@dataclass(frozen=True, slots=True)
class ApkVersion:
    text: str
    numbers: tuple[str, ...]
    letter: str
    suffixes: tuple[tuple[int, int], ...]
    revision: int
    remainder: str
    malformed: bool


def parse(text: str) -> ApkVersion:
    rest = text.strip()
    numbers_text = _NUMBERS.match(rest).group()  # type: ignore[union-attr]
    numbers: list[str] = []
    for part in numbers_text.split(".") if numbers_text else ():
        if not part:
            break  # apk accepts a dot not followed by a digit
        numbers.append(part)
    rest = rest[len(numbers_text) :]
    letter = ""
    if rest[:1].isascii() and rest[:1].islower():
        letter, rest = rest[0], rest[1:]
    suffixes = []
    for match in _SUFFIX.finditer(rest):
        suffixes.append((_SUFFIX_RANK[match.group(1)], int(match.group(2) or 0)))
        if rest.startswith(match.group()):
            rest = rest[len(match.group()) :]
    hashed = _HASH.match(rest)
    if hashed:
        rest = rest[hashed.end() :]
    revision, malformed = 0, False
    if rest:
        build = _REVISION.match(rest)
        if build:
            revision, rest = int(build.group(1) or 0), rest[build.end() :]
        else:
            malformed = True
    return ApkVersion(text, tuple(numbers), letter, tuple(suffixes), revision, rest, malformed)


def _number_cmp(a: str, b: str, index: int) -> int:
    if index and (a[0] == "0" or b[0] == "0"):
        return (a > b) - (a < b)
    x, y = int(a), int(b)
    return (x > y) - (x < y)


def compare(a: ApkVersion, b: ApkVersion) -> int:
    if a.malformed and b.malformed:
        return (a.text > b.text) - (a.text < b.text)
    for i in range(max(len(a.numbers), len(b.numbers))):
        x = a.numbers[i] if i < len(a.numbers) else "0"
        y = b.numbers[i] if i < len(b.numbers) else "0"
        result = _number_cmp(x, y, i if i < len(a.numbers) and i < len(b.numbers) else 0)
        if result:
            return result
    if a.letter != b.letter:
        if not a.letter or not b.letter:
            return 1 if a.letter else -1
        return -1 if a.letter < b.letter else 1
    for i in range(max(len(a.suffixes), len(b.suffixes))):
        left = a.suffixes[i] if i < len(a.suffixes) else _NO_SUFFIX
        right = b.suffixes[i] if i < len(b.suffixes) else _NO_SUFFIX
        if left != right:
            return -1 if left < right else 1
    if a.revision != b.revision:
        return -1 if a.revision < b.revision else 1
    if bool(a.remainder) != bool(b.remainder):
        return -1 if a.remainder else 1
    return 0


def is_valid(text: str) -> bool:
    version = parse(text)
    return bool(version.numbers) and not version.malformed and not version.remainder


SCHEME = Scheme(name="apk", parse_key=parse, cmp=compare, validate=is_valid)
