"""Read the literal string data out of Go source: a tokenizer and a small evaluator for the
string expressions peers' rule files and tests build their samples from.

Only data is taken (string literals, lists of them, `fmt.Sprintf` of them, `append`); no Go is
run. Helpers a peer calls to *generate* a sample (random text from a regex) are given by the
caller as Python functions. Anything else raises `Unsupported`, and the caller counts it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

TOKEN = re.compile(
    r"""(?P<ws>\s+)|(?P<comment>//[^\n]*|/\*.*?\*/)|(?P<raw>`[^`]*`)|(?P<str>"(?:\\.|[^"\\\n])*")
    |(?P<rune>'(?:\\.|[^'\\\n])+')|(?P<ident>[A-Za-z_][A-Za-z0-9_]*)|(?P<num>\d[\w.]*)
    |(?P<op>\.\.\.|:=|==|!=|<=|>=|&&|\|\||\+=|<-|\+\+|--|[-+*/%&|^<>=!(){}\[\],;:.])|(?P<other>.)""",
    re.S | re.X,
)
ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


class Unsupported(Exception):
    """An expression this reader does not evaluate."""


@dataclass(frozen=True, slots=True)
class Tok:
    kind: str
    text: str
    value: str = ""


def tokens(source: str) -> list[Tok]:
    out: list[Tok] = []
    for m in TOKEN.finditer(source):
        kind = m.lastgroup or "other"
        text = m.group()
        if kind in ("ws", "comment"):
            continue
        if kind == "raw":
            out.append(Tok("str", text, text[1:-1].replace("\r", "")))
        elif kind == "str":
            out.append(Tok("str", text, unquote(text[1:-1])))
        else:
            out.append(Tok(kind, text))
    return out


def unquote(body: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] in "xuU":
            return chr(int(e[1:], 16))
        if e[0].isdigit():
            return chr(int(e, 8))
        return ESCAPES.get(e, e)

    return re.sub(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)", one, body)


def sprintf(fmt: str, args: list[Any]) -> str:
    it = iter(args)

    def one(m: re.Match[str]) -> str:
        if m.group() == "%%":
            return "%"
        value = next(it)
        return f'"{value}"' if m.group().endswith("q") else str(value)

    return re.sub(r"%%|%[-+# 0-9.]*[svdqx]", one, fmt)


@dataclass
class Reader:
    toks: list[Tok]
    env: dict[str, Any]
    calls: dict[str, Callable[..., Any]] = field(default_factory=dict)
    i: int = 0

    def peek(self, k: int = 0) -> Tok:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else Tok("eof", "")

    def take(self, text: str | None = None) -> Tok:
        t = self.peek()
        if text is not None and t.text != text:
            raise Unsupported(f"expected {text!r}, got {t.text!r}")
        self.i += 1
        return t

    def expr(self) -> Any:
        value = self.term()
        while self.peek().text == "+":
            self.take()
            right = self.term()
            if not (isinstance(value, str) and isinstance(right, str)):
                raise Unsupported("+ of non-strings")
            value += right
        return value

    def term(self) -> Any:
        t = self.peek()
        if t.kind == "str":
            self.take()
            return t.value
        if t.kind == "num":
            self.take()
            return int(t.text) if t.text.isdigit() else t.text
        if t.text == "(":
            self.take()
            value = self.expr()
            self.take(")")
            return value
        if t.text == "[" and self.peek(1).text == "]":
            self.i += 2
            self.type_name()
            return self.composite()
        if t.text == "map" and self.peek(1).text == "[":
            self.i += 1
            self.skip_brackets("[", "]")
            self.type_name()
            return dict(self.composite(keyed=True))
        if t.kind == "ident":
            name = self.qualified()
            if self.peek().text == "(":
                return self.call(name)
            if name in ("nil",):
                return None
            if name in self.env:
                if isinstance(self.env[name], Unsupported):
                    raise self.env[name]
                return self.env[name]
            raise Unsupported(f"unknown name {name}")
        raise Unsupported(f"unexpected {t.text!r}")

    def qualified(self) -> str:
        name = self.take().text
        while self.peek().text == "." and self.peek(1).kind == "ident":
            self.i += 1
            name += "." + self.take().text
        return name

    def type_name(self) -> None:
        if self.peek().text == "struct":
            self.take()
            self.skip_brackets("{", "}")
            return
        while self.peek().text in ("*", "[", "]") or self.peek().kind == "ident" or self.peek().text == ".":
            if self.peek(0).text == "{":
                break
            self.take()

    def skip_brackets(self, open_: str, close: str) -> None:
        depth = 0
        while True:
            t = self.take()
            if t.kind == "eof":
                raise Unsupported("unbalanced")
            depth += (t.text == open_) - (t.text == close)
            if depth == 0:
                return

    def composite(self, keyed: bool = False) -> list[Any]:
        self.take("{")
        items: list[Any] = []
        while self.peek().text != "}":
            if self.peek().text == "{":  # elided element type: a nested composite
                items.append(self.composite(keyed=keyed))
            else:
                value = self.expr()
                if keyed and self.peek().text == ":":
                    self.take()
                    value = (value, self.expr())
                items.append(value)
            if self.peek().text == ",":
                self.take()
            elif self.peek().text != "}":
                raise Unsupported(f"unexpected {self.peek().text!r} in a composite literal")
        self.take("}")
        return items

    def call(self, name: str) -> Any:
        self.take("(")
        args: list[Any] = []
        spread = False
        while self.peek().text != ")":
            args.append(self.expr())
            if self.peek().text == "...":
                self.take()
                spread = True
            if self.peek().text == ",":
                self.take()
        self.take(")")
        if name == "append":
            head = list(args[0] or [])
            rest = args[1:]
            return head + (list(rest[-1]) if spread else []) + (rest[:-1] if spread else rest)
        if name == "fmt.Sprintf":
            return sprintf(args[0], args[1:])
        if name == "strings.Repeat":
            return args[0] * int(args[1])
        if name in ("string", "[]byte"):
            return args[0]
        if name in self.calls:
            return self.calls[name](*args)
        raise Unsupported(f"call of {name}")


def functions(toks: list[Tok]) -> Iterator[tuple[str, int, int]]:
    """(name, first token, end token) of each top-level `func` body."""
    i = 0
    while i < len(toks):
        if toks[i].text == "func" and i + 1 < len(toks) and toks[i + 1].kind == "ident":
            name = toks[i + 1].text
            j = i + 2
            depth = 0
            while j < len(toks) and not (toks[j].text == "{" and depth == 0):
                depth += (toks[j].text == "(") - (toks[j].text == ")")
                j += 1
            start, depth = j, 0
            while j < len(toks):
                depth += (toks[j].text == "{") - (toks[j].text == "}")
                j += 1
                if depth == 0:
                    break
            yield name, start, j
            i = j
        else:
            i += 1


def assignments(reader: Reader, start: int, end: int) -> None:
    """Evaluate `name := expr`, `name = expr`, `var name [T] = expr` and `const` in [start, end)
    into `reader.env`, in order; what cannot be evaluated is stored as `Unsupported`."""
    toks = reader.toks
    i = start
    while i < end:
        t = toks[i]
        j = None
        if (
            t.kind == "ident"
            and i + 1 < end
            and toks[i + 1].text in (":=", "=")
            and toks[i - 1].text not in (".", ",")
        ):
            j = i + 2
        if j is not None:
            reader.i = j
            try:
                reader.env[t.text] = reader.expr()
            except (Unsupported, StopIteration, ValueError, IndexError, TypeError) as e:
                reader.env[t.text] = Unsupported(str(e))
            i = max(reader.i, i + 1)
        else:
            i += 1
