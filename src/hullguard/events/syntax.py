"""Falco's condition language parsed into a small AST (precedence: not > and > or).

Values are lexed by context, as Falco's own parser does: after an operator a bare word runs
to the next space, comma or parenthesis, so `runc:[0:PARENT]` and `/dev/shm` need no quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from hullguard.events.errors import ConditionError


class Op(StrEnum):
    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    CONTAINS = "contains"
    ICONTAINS = "icontains"
    BCONTAINS = "bcontains"
    STARTSWITH = "startswith"
    BSTARTSWITH = "bstartswith"
    ENDSWITH = "endswith"
    GLOB = "glob"
    IGLOB = "iglob"
    REGEX = "regex"
    IN = "in"
    INTERSECTS = "intersects"
    PMATCH = "pmatch"
    EXISTS = "exists"


LIST_OPS = frozenset({Op.IN, Op.INTERSECTS, Op.PMATCH})


@dataclass(frozen=True, slots=True)
class FieldRef:
    name: str
    arg: str | None = None

    def __str__(self) -> str:
        return self.name if self.arg is None else f"{self.name}[{self.arg}]"


@dataclass(frozen=True, slots=True)
class ListRef:
    """A bare word inside `( … )`: a list's name, or else the word itself."""

    name: str


Item = str | ListRef


@dataclass(frozen=True, slots=True)
class Check:
    field: FieldRef
    op: Op
    values: tuple[Item, ...] = ()
    """One value for scalar operators, the items for list operators, none for `exists`."""


@dataclass(frozen=True, slots=True)
class MacroRef:
    name: str


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Node, ...]


Node = Check | MacroRef | Not | And | Or

_SPACE = re.compile(r"\s*")
_WORD_OPS = tuple(sorted((o.value for o in Op if o.value.isalpha()), key=len, reverse=True))
_SYM_OPS = ("==", "!=", "<=", ">=", "=", "<", ">")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_ARG = re.compile(r"\[([^\]]*)\]")
_BARE = re.compile(r"[^\s(),'\"]+")
_KEYWORDS = frozenset({"and", "or", "not"})


def parse(text: str) -> Node:
    """The AST of a condition; ConditionError names the character where it went wrong."""
    parser = _Parser(text)
    node = parser.expr()
    parser.space()
    if parser.pos != len(text):
        raise ConditionError(f"unexpected {text[parser.pos:parser.pos + 20]!r}", position=parser.pos)
    return node


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def space(self) -> None:
        self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def keyword(self, word: str) -> bool:
        self.space()
        end = self.pos + len(word)
        if self.text.startswith(word, self.pos) and (end == len(self.text) or not _is_word(self.text[end])):
            self.pos = end
            return True
        return False

    def expr(self) -> Node:
        operands = [self.conjunction()]
        while self.keyword("or"):
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def conjunction(self) -> Node:
        operands = [self.negation()]
        while self.keyword("and"):
            operands.append(self.negation())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def negation(self) -> Node:
        if self.keyword("not"):
            return Not(self.negation())
        return self.primary()

    def primary(self) -> Node:
        self.space()
        if self.text.startswith("(", self.pos):
            self.pos += 1
            node = self.expr()
            self.space()
            if not self.text.startswith(")", self.pos):
                raise ConditionError("expected ')'", position=self.pos)
            self.pos += 1
            return node
        match = _IDENT.match(self.text, self.pos)
        if match is None or match.group() in _KEYWORDS:
            raise ConditionError("expected a field, a macro or '('", position=self.pos)
        name = match.group()
        self.pos = match.end()
        if "." not in name:
            return MacroRef(name)
        arg = None
        if (m := _ARG.match(self.text, self.pos)) is not None:
            arg, self.pos = m.group(1).strip("'\""), m.end()
        return self.check(FieldRef(name, arg))

    def check(self, field: FieldRef) -> Check:
        self.space()
        op = self.operator()
        if op is Op.EXISTS:
            return Check(field, op)
        self.space()
        if op in LIST_OPS or self.text.startswith("(", self.pos):
            return Check(field, op, self.items())
        return Check(field, op, (self.value(),))

    def operator(self) -> Op:
        for sym in _SYM_OPS:
            if self.text.startswith(sym, self.pos):
                self.pos += len(sym)
                return Op.EQ if sym == "==" else Op(sym)
        for word in _WORD_OPS:
            if self.keyword(word):
                return Op(word)
        raise ConditionError("expected an operator", position=self.pos)

    def items(self) -> tuple[Item, ...]:
        if not self.text.startswith("(", self.pos):
            raise ConditionError("expected '(' and a list", position=self.pos)
        self.pos += 1
        items: list[Item] = []
        while True:
            self.space()
            if self.text.startswith(")", self.pos):
                self.pos += 1
                return tuple(items)
            quoted = self.text[self.pos] in "'\"" if self.pos < len(self.text) else False
            word = self.value()
            items.append(word if quoted else ListRef(word))
            self.space()
            if self.text.startswith(",", self.pos):
                self.pos += 1

    def value(self) -> str:
        if self.pos >= len(self.text):
            raise ConditionError("expected a value", position=self.pos)
        quote = self.text[self.pos]
        if quote in "'\"":
            out: list[str] = []
            i = self.pos + 1
            while i < len(self.text) and self.text[i] != quote:
                if self.text[i] == "\\" and i + 1 < len(self.text):
                    i += 1
                out.append(self.text[i])
                i += 1
            if i >= len(self.text):
                raise ConditionError("unterminated string", position=self.pos)
            self.pos = i + 1
            return "".join(out)
        match = _BARE.match(self.text, self.pos)
        if match is None:
            raise ConditionError("expected a value", position=self.pos)
        self.pos = match.end()
        return match.group()


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "_."
