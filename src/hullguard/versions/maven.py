"""Maven versions, ordered as Maven's ComparableVersion orders them.

A version is a list of items (numbers, qualifiers, sub-lists started by `-` or by a
digit/letter transition); trailing "null" items (0, "", "final", "ga") are dropped; known
qualifiers rank alpha < beta < milestone < rc < snapshot < release < sp < anything else.
"""

from __future__ import annotations

from typing import Union

from hullguard.versions.base import Scheme

_QUALIFIERS = ("alpha", "beta", "milestone", "rc", "snapshot", "", "sp")
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_RELEASE_RANK = str(_QUALIFIERS.index(""))

Item = Union[int, "Qualifier", list["Item"]]


class Qualifier(str):
    __slots__ = ()


def _qualifier(text: str, followed_by_digit: bool) -> Qualifier:
    if followed_by_digit and len(text) == 1:
        text = {"a": "alpha", "b": "beta", "m": "milestone"}.get(text, text)
    return Qualifier(_ALIASES.get(text, text))


def _rank(q: str) -> str:
    return str(_QUALIFIERS.index(q)) if q in _QUALIFIERS else f"{len(_QUALIFIERS)}-{q}"


def _is_null(item: Item) -> bool:
    if isinstance(item, list):
        return not item
    if isinstance(item, Qualifier):
        return _rank(item) == _RELEASE_RANK
    return item == 0


def _normalize(items: list[Item], root: bool) -> None:
    for i in range(len(items) - 1, -1, -1):
        if _is_null(items[i]):
            del items[i]
        elif not isinstance(items[i], list):
            break
    # Trimming nulls "at each remaining hyphen" (the spec's words) can leave a list that only
    # wraps the next one: `1-ga-1` is `1-1`.
    if not root and len(items) == 1 and isinstance(items[0], list):
        items[:] = items[0]


def _parse_item(is_digit: bool, text: str, followed_by_digit: bool = False) -> Item:
    return int(text) if is_digit else _qualifier(text, followed_by_digit)


def parse_key(text: str) -> list[Item]:
    version = text.strip().lower()
    if not version:
        raise ValueError("empty version")
    root: list[Item] = []
    current = root
    stack = [root]
    is_digit = False
    start = 0
    for i, c in enumerate(version):
        if c == ".":
            current.append(0 if i == start else _parse_item(is_digit, version[start:i]))
            start = i + 1
        elif c == "-":
            current.append(0 if i == start else _parse_item(is_digit, version[start:i]))
            start = i + 1
            child: list[Item] = []
            current.append(child)
            current = child
            stack.append(current)
        elif c.isdigit():
            if not is_digit and i > start:
                current.append(_qualifier(version[start:i], followed_by_digit=True))
                start = i
                child = []
                current.append(child)
                current = child
                stack.append(current)
            is_digit = True
        else:
            if is_digit and i > start:
                current.append(_parse_item(True, version[start:i]))
                start = i
                child = []
                current.append(child)
                current = child
                stack.append(current)
            is_digit = False
    if len(version) > start:
        current.append(_parse_item(is_digit, version[start:]))
    for items in reversed(stack):
        _normalize(items, root=items is root)
    return root


def compare_items(a: Item | None, b: Item | None) -> int:
    if a is None:
        return -compare_items(b, None) if b is not None else 0
    if isinstance(a, list):
        if b is None:
            for item in a:
                result = compare_items(item, None)
                if result:
                    return result
            return 0
        if isinstance(b, list):
            for i in range(max(len(a), len(b))):
                result = compare_items(a[i] if i < len(a) else None, b[i] if i < len(b) else None)
                if result:
                    return result
            return 0
        return -1 if isinstance(b, int) else 1
    if isinstance(a, Qualifier):
        if b is None:
            return _cmp(_rank(a), _RELEASE_RANK)
        if isinstance(b, Qualifier):
            return _cmp(_rank(a), _rank(b))
        return -1
    # a is a number
    if b is None:
        return 0 if a == 0 else 1
    if isinstance(b, int):
        return _cmp(a, b)
    return 1


def _cmp(a: str | int, b: str | int) -> int:
    return (a > b) - (a < b)  # type: ignore[operator]


SCHEME = Scheme(name="maven", parse_key=parse_key, cmp=compare_items)
