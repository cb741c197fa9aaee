"""RPM versions: `[epoch:]version[-release]`, ordered as rpmvercmp orders them."""

from __future__ import annotations

from hullguard.versions.base import Scheme


def parse_key(text: str) -> tuple[int, str, str | None]:
    text = text.strip()
    if not text:
        raise ValueError("empty version")
    epoch = 0
    head, sep, rest = text.partition(":")
    if sep and head.isdigit():
        epoch, text = int(head), rest
    version, sep, release = text.rpartition("-")
    if not sep:
        return epoch, text, None
    return epoch, version, release


def _alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def rpmvercmp(a: str, b: str) -> int:
    if a == b:
        return 0
    i = j = 0
    la, lb = len(a), len(b)
    while i < la or j < lb:
        while i < la and not _alnum(a[i]) and a[i] not in "~^":
            i += 1
        while j < lb and not _alnum(b[j]) and b[j] not in "~^":
            j += 1
        ca = a[i] if i < la else ""
        cb = b[j] if j < lb else ""
        if ca == "~" or cb == "~":
            if ca != "~":
                return 1
            if cb != "~":
                return -1
            i, j = i + 1, j + 1
            continue
        if ca == "^" or cb == "^":
            if not ca:
                return -1
            if not cb:
                return 1
            if ca != "^":
                return 1
            if cb != "^":
                return -1
            i, j = i + 1, j + 1
            continue
        if not (ca and cb):
            break
        numeric = ca.isdigit()
        si, sj = i, j
        if numeric:
            while i < la and a[i].isdigit():
                i += 1
            while j < lb and b[j].isdigit():
                j += 1
        else:
            while i < la and a[i].isascii() and a[i].isalpha():
                i += 1
            while j < lb and b[j].isascii() and b[j].isalpha():
                j += 1
        if sj == j:
            return 1 if numeric else -1
        sa, sb = a[si:i], b[sj:j]
        if numeric:
            sa, sb = sa.lstrip("0"), sb.lstrip("0")
            if len(sa) != len(sb):
                return -1 if len(sa) < len(sb) else 1
        if sa != sb:
            return -1 if sa < sb else 1
    if i >= la and j >= lb:
        return 0
    return -1 if i >= la else 1


def compare_keys(a: tuple[int, str, str | None], b: tuple[int, str, str | None]) -> int:
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
