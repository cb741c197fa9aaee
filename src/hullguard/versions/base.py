"""The version contract: a scheme parses text into a `Version` that orders; it never raises.

A scheme's `parse_key` turns text into a key its `cmp` orders, raising `ValueError` when the
text is not a version of that ecosystem. Such a version is kept, marked invalid, and sorts
before every valid one (invalid ones among themselves by the scheme's `fallback` key, else by text),
so a range check on it is never silently true; matchers report it as an issue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Cmp = Callable[[Any, Any], int]


def cmp_natural(a: Any, b: Any) -> int:
    """Three-way comparison for keys Python already orders (tuples, ints, packaging Versions)."""
    return int(a > b) - int(a < b)


class Version:
    __slots__ = ("_cmp", "key", "ordered", "text", "valid")

    def __init__(self, text: str, key: Any, cmp: Cmp, valid: bool, ordered: bool) -> None:
        self.text = text
        self.key = key
        self._cmp = cmp
        self.valid = valid
        self.ordered = ordered
        """The scheme's own order applies (true for every valid version, and for invalid
        ones where the ecosystem's tool orders any text, as apk does)."""

    def compare(self, other: Version) -> int:
        if self.ordered != other.ordered:
            return 1 if self.ordered else -1
        return self._cmp(self.key, other.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self.compare(other) == 0

    def __lt__(self, other: Version) -> bool:
        return self.compare(other) < 0

    # Spelled out rather than derived by total_ordering: matching compares millions of times.
    def __le__(self, other: Version) -> bool:
        return self.compare(other) <= 0

    def __gt__(self, other: Version) -> bool:
        return self.compare(other) > 0

    def __ge__(self, other: Version) -> bool:
        return self.compare(other) >= 0

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"Version({self.text!r}{'' if self.valid else ', invalid'})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Scheme:
    name: str
    parse_key: Callable[[str], Any]
    cmp: Cmp = cmp_natural
    fallback: Callable[[str], Any] | None = None
    """A key for text that is not a valid version (e.g. PyPI's legacy versions)."""
    fallback_cmp: Cmp = cmp_natural
    validate: Callable[[str], bool] | None = None
    canonical: Callable[[Any], str] | None = None
    """A text equal for equal versions (from the key), for set lookups; else the text itself."""
    """For schemes whose order covers any text: says whether the text is a proper version."""
    _cache: dict[str, Version] = field(default_factory=dict, compare=False, repr=False)
    _canonical: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def parse(self, text: str) -> Version:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        try:
            valid = self.validate(text) if self.validate else True
            version = Version(text, self.parse_key(text), self.cmp, valid, True)
        except (ValueError, TypeError, IndexError):
            key = self.fallback(text) if self.fallback else text
            version = Version(text, key, self.fallback_cmp if self.fallback else cmp_natural, False, False)
        if len(self._cache) < 200_000:
            self._cache[text] = version
        return version

    def compare(self, a: str, b: str) -> int:
        return self.parse(a).compare(self.parse(b))

    def canonical_text(self, text: str) -> str:
        if self.canonical is None:
            return text
        cached = self._canonical.get(text)
        if cached is None:
            version = self.parse(text)
            cached = self.canonical(version.key) if version.valid else text
            if len(self._canonical) < 200_000:
                self._canonical[text] = cached
        return cached

    def is_valid(self, text: str) -> bool:
        return self.parse(text).valid
