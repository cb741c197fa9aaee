"""A random string a regular expression matches (Go/RE2 syntax as far as Python's parser
reads it): how gitleaks draws its generated true positives, redone for the benchmark."""

from __future__ import annotations

import importlib
import random
import re
import string
from typing import Any

_parser: Any = importlib.import_module("re._parser")
C: Any = importlib.import_module("re._constants")
UNBOUNDED_EXTRA = 4
CATEGORIES = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_DIGIT": string.ascii_letters,
    "CATEGORY_NOT_WORD": "-.:/ ",
    "CATEGORY_NOT_SPACE": string.ascii_letters + string.digits,
}
PRINTABLE = string.ascii_letters + string.digits + string.punctuation
POSIX = {
    "[:alnum:]": "a-zA-Z0-9",
    "[:alpha:]": "a-zA-Z",
    "[:digit:]": "0-9",
    "[:xdigit:]": "0-9a-fA-F",
    "[:upper:]": "A-Z",
    "[:lower:]": "a-z",
    "[:space:]": r"\s",
    "[:punct:]": r"!-/:-@\[-`{-~",
}


def to_python(regex: str) -> str:
    for posix, plain in POSIX.items():
        regex = regex.replace(posix, plain)
    regex = re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", regex)
    return regex.replace(r"\z", r"\Z")


def sample(regex: str, rng: random.Random) -> str:
    return "".join(_emit(list(_parser.parse(to_python(regex))), rng))


def _charset(items: list[tuple[Any, Any]]) -> str:
    chars: list[str] = []
    negate = False
    for op, arg in items:
        if op == C.NEGATE:
            negate = True
        elif op == C.LITERAL:
            chars.append(chr(arg))
        elif op == C.RANGE:
            chars.extend(chr(c) for c in range(arg[0], arg[1] + 1))
        elif op == C.CATEGORY:
            chars.extend(CATEGORIES.get(str(arg), string.ascii_letters))
    if negate:
        return "".join(c for c in PRINTABLE if c not in chars) or "x"
    return "".join(chars) or "x"


def _emit(items: list[tuple[Any, Any]], rng: random.Random) -> list[str]:
    out: list[str] = []
    for op, arg in items:
        if op == C.LITERAL:
            out.append(chr(arg))
        elif op == C.NOT_LITERAL:
            out.append(rng.choice([c for c in string.ascii_letters if ord(c) != arg]))
        elif op == C.IN:
            out.append(rng.choice(_charset(list(arg))))
        elif op == C.ANY:
            out.append(rng.choice(string.ascii_letters + string.digits))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, hi, sub = arg
            hi = lo + UNBOUNDED_EXTRA if hi >= C.MAXREPEAT else hi
            for _ in range(rng.randint(lo, hi)):
                out.extend(_emit(list(sub), rng))
        elif op == C.BRANCH:
            out.extend(_emit(list(rng.choice(arg[1])), rng))
        elif op == C.SUBPATTERN:
            out.extend(_emit(list(arg[-1]), rng))
        elif op == C.ATOMIC_GROUP:
            out.extend(_emit(list(arg), rng))
    return out
