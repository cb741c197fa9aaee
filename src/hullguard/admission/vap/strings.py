"""cel-go's strings extension (the version Kubernetes enables), with the lists library's
`indexOf`/`lastIndexOf` declared alongside: CEL wants one declaration per function name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cel_expr_python import cel

S, INT, DYN = cel.Type.STRING, cel.Type.INT, cel.Type.DYN
L, LS = cel.Type.List(DYN), cel.Type.List(S)


def _check(text: str, index: int) -> int:
    if not 0 <= index <= len(text):
        raise ValueError(f"index out of range: {index}")
    return index


def _index_of(text: str, sub: str, start: int = 0) -> int:
    return text.find(sub, _check(text, start))


def _last_index_of(text: str, sub: str, start: int | None = None) -> int:
    end = len(text) if start is None else _check(text, start) + len(sub)
    return text.rfind(sub, 0, end)


def _list_index(items: list[Any], item: Any, last: bool) -> int:
    found = [n for n, x in enumerate(items) if x == item and type(x) is type(item)]
    return (found[-1] if last else found[0]) if found else -1


def _substring(text: str, start: int, end: int | None = None) -> str:
    stop = len(text) if end is None else _check(text, end)
    if _check(text, start) > stop:
        raise ValueError(f"invalid substring range. start: {start}, end: {stop}")
    return text[start:stop]


def _split(text: str, sep: str, limit: int = -1) -> list[str]:
    if limit == 0:
        return []
    if sep == "":
        parts = list(text)
        return parts if limit < 0 or limit >= len(parts) else [*parts[: limit - 1], text[limit - 1 :]]
    return text.split(sep, limit - 1 if limit > 0 else -1)


def _replace(text: str, old: str, new: str, limit: int = -1) -> str:
    return text.replace(old, new, limit)


def _quote(text: str) -> str:
    escapes = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
               "\\": "\\\\", '"': '\\"'}  # fmt: skip
    return '"' + "".join(escapes.get(c, c) for c in text) + '"'


Overload = tuple[str, Any, list[Any], bool, Callable[..., Any]]


def _list_overloads(prefix: str, last: bool) -> list[Overload]:
    """One per element type: the evaluator dispatches on concrete argument types."""
    types = {"int": INT, "string": S, "double": cel.Type.DOUBLE, "bool": cel.Type.BOOL}
    return [
        (f"{prefix}_{name}", INT, [cel.Type.List(t), t], True, lambda xs, x: _list_index(xs, x, last))
        for name, t in types.items()
    ]


def overloads() -> dict[str, list[Overload]]:
    ascii_lower = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
    ascii_upper = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return {
        "charAt": [("string_char_at_int", S, [S, INT], True, lambda s, i: s[_check(s, i) : i + 1])],
        "indexOf": [
            ("string_index_of_string", INT, [S, S], True, _index_of),
            ("string_index_of_string_int", INT, [S, S, INT], True, _index_of),
            *_list_overloads("k8s_list_index_of", last=False),
        ],
        "lastIndexOf": [
            ("string_last_index_of_string", INT, [S, S], True, _last_index_of),
            ("string_last_index_of_string_int", INT, [S, S, INT], True, _last_index_of),
            *_list_overloads("k8s_list_last_index_of", last=True),
        ],
        "lowerAscii": [("string_lower_ascii", S, [S], True, lambda s: s.translate(ascii_lower))],
        "upperAscii": [("string_upper_ascii", S, [S], True, lambda s: s.translate(ascii_upper))],
        "replace": [
            ("string_replace_string_string", S, [S, S, S], True, _replace),
            ("string_replace_string_string_int", S, [S, S, S, INT], True, _replace),
        ],
        "split": [
            ("string_split_string", LS, [S, S], True, _split),
            ("string_split_string_int", LS, [S, S, INT], True, _split),
        ],
        "substring": [
            ("string_substring_int", S, [S, INT], True, _substring),
            ("string_substring_int_int", S, [S, INT, INT], True, _substring),
        ],
        "trim": [("string_trim", S, [S], True, lambda s: s.strip())],
        "join": [
            ("list_join", S, [LS], True, lambda xs: "".join(xs)),
            ("list_join_string", S, [LS, S], True, lambda xs, sep: sep.join(xs)),
        ],
        "reverse": [("string_reverse", S, [S], True, lambda s: s[::-1])],
        "strings.quote": [("strings_quote", S, [S], False, _quote)],
    }
