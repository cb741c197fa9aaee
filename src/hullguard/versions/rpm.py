"""RPM versions: `[epoch:]version[-release]`, ordered as rpmvercmp orders them."""

from __future__ import annotations

import re

from hullguard.versions.base import Scheme

Token = tuple[int, int | str]
"""(kind, value): 0 a number, 1 a run of letters, 2 a tilde, 3 a caret. Other characters only
separate tokens, as in rpmvercmp."""

_TOKEN = re.compile(r"(\d+)|([A-Za-z]+)|(~)|(\^)")
NUM, ALPHA, TILDE, CARET = 0, 1, 2, 3


def tokenize(text: str) -> tuple[Token, ...]:
    out: list[Token] = []
    for number, word, _tilde, caret in _TOKEN.findall(text):
        if number:
            out.append((NUM, int(number)))
        elif word:
            out.append((ALPHA, word))
        else:
            out.append((CARET, "^") if caret else (TILDE, "~"))
    return tuple(out)


Key = tuple[int, tuple[Token, ...], tuple[Token, ...] | None]


def parse_key(text: str) -> Key:
    text = text.strip()
    if not text:
        raise ValueError("empty version")
    epoch = 0
    head, sep, rest = text.partition(":")
    if sep and head.isdigit():
        epoch, text = int(head), rest
    version, sep, release = text.rpartition("-")
    if not sep:
        return epoch, tokenize(text), None
    return epoch, tokenize(version), tokenize(release)


def rpmvercmp(a: tuple[Token, ...], b: tuple[Token, ...]) -> int:
    """rpm's segment-by-segment comparison, over pre-split tokens."""
    if a == b:
        return 0
    i = j = 0
    while i < len(a) or j < len(b):
        ta = a[i] if i < len(a) else None
        tb = b[j] if j < len(b) else None
        # A tilde sorts before everything, even the end of the version.
        if (ta is not None and ta[0] == TILDE) or (tb is not None and tb[0] == TILDE):
            if ta is None or ta[0] != TILDE:
                return 1
            if tb is None or tb[0] != TILDE:
                return -1
            i, j = i + 1, j + 1
            continue
        # A caret sorts after the end of the version but before anything else.
        if (ta is not None and ta[0] == CARET) or (tb is not None and tb[0] == CARET):
            if ta is None:
                return -1
            if tb is None:
                return 1
            if ta[0] != CARET:
                return 1
            if tb[0] != CARET:
                return -1
            i, j = i + 1, j + 1
            continue
        if ta is None or tb is None:
            break
        if ta[0] != tb[0]:
            # A number is newer than letters in the same place.
            return 1 if ta[0] == NUM else -1
        if ta[1] != tb[1]:
            return -1 if ta[1] < tb[1] else 1  # type: ignore[operator]
        i, j = i + 1, j + 1
    if i >= len(a) and j >= len(b):
        return 0
    return -1 if i >= len(a) else 1


def compare_keys(a: Key, b: Key) -> int:
    if a[0] != b[0]:
        return -1 if a[0] < b[0] else 1
    result = rpmvercmp(a[1], b[1])
    if result or a[2] == b[2]:
        return result
    # A version without a release sorts before the same version with any release.
    if a[2] is None or b[2] is None:
        return -1 if a[2] is None else 1
    return rpmvercmp(a[2], b[2])


SCHEME = Scheme(name="rpm", parse_key=parse_key, cmp=compare_keys)
