"""Debian and Ubuntu versions: `[epoch:]upstream[-revision]`, ordered as dpkg orders them."""

from __future__ import annotations

import re

from hullguard.versions.base import Scheme

_VALID_UPSTREAM = re.compile(r"^[0-9A-Za-z.+~:-]*$")


def parse_key(text: str) -> tuple[int, str, str]:
    text = text.strip()
    epoch = 0
    if ":" in text:
        head, _, rest = text.partition(":")
        if not head.isdigit():
            raise ValueError(f"epoch {head!r} is not a number")
        epoch, text = int(head), rest
    upstream, sep, revision = text.rpartition("-")
    if not sep:
        upstream, revision = text, ""
    if not upstream or not upstream[0].isdigit() or not _VALID_UPSTREAM.match(upstream):
        raise ValueError(f"upstream version {upstream!r} must start with a digit")
    return epoch, upstream, revision


def _order(c: str) -> int:
    if c == "~":
        return -1
    if c.isdigit():
        return 0
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def verrevcmp(a: str, b: str) -> int:
    """dpkg's comparison of one upstream or revision part."""
    i = j = 0
    la, lb = len(a), len(b)
    while i < la or j < lb:
        while (i < la and not a[i].isdigit()) or (j < lb and not b[j].isdigit()):
            ac = _order(a[i]) if i < la else 0
            bc = _order(b[j]) if j < lb else 0
            if ac != bc:
                return -1 if ac < bc else 1
            i += 1
            j += 1
        si = i
        while i < la and a[i].isdigit():
            i += 1
        sj = j
        while j < lb and b[j].isdigit():
            j += 1
        na = int(a[si:i] or "0")
        nb = int(b[sj:j] or "0")
        if na != nb:
            return -1 if na < nb else 1
    return 0


def compare_keys(a: tuple[int, str, str], b: tuple[int, str, str]) -> int:
    if a[0] != b[0]:
        return -1 if a[0] < b[0] else 1
    return verrevcmp(a[1], b[1]) or verrevcmp(a[2], b[2])


SCHEME = Scheme(name="dpkg", parse_key=parse_key, cmp=compare_keys)
