"""Simple commands of a RUN script: enough shell to see what runs, with what flags, piped where."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

OPERATORS = frozenset({"&&", "||", ";", "|", "&", "\n", ";;", "|&"})
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
WRAPPERS = frozenset({"sudo", "env", "nice", "nohup", "time", "exec", "command", "eatmydata", "xargs"})


@dataclass(frozen=True, slots=True)
class Command:
    words: tuple[str, ...]
    piped_to: tuple[str, ...] | None = None
    """The words of the command this one pipes into, if any."""

    @property
    def name(self) -> str:
        return self.words[0].rsplit("/", 1)[-1] if self.words else ""

    def has(self, *flags: str) -> bool:
        return any(
            w in flags or any(w.startswith(f + "=") for f in flags if f.startswith("--")) for w in self.words
        )

    def has_short(self, letter: str) -> bool:
        """A short option letter, alone or bundled (`-y`, `-qy`)."""
        return any(w.startswith("-") and not w.startswith("--") and letter in w[1:] for w in self.words)

    def sub(self, *names: str) -> bool:
        """The first non-option word after the command is one of `names` (`apt-get install`)."""
        rest = [w for w in self.words[1:] if not w.startswith("-")]
        return bool(rest) and rest[0] in names


TOKEN = re.compile(
    r"""(?P<space>[ \t\r]+)|(?P<op>&&|\|\||;;|\|&|[;|&\n])|"(?P<dq>(?:\\.|[^"\\])*)"?|'(?P<sq>[^']*)'?|(?P<bare>(?:\\.|[^\s;|&'"\\])+|\\)"""
)
UNESCAPE = re.compile(r"\\(.)")


def _tokens(script: str) -> list[str]:
    """Shell words and control operators; quotes removed, adjacent pieces joined, like sh does."""
    text = script.replace("\\\n", " ")
    tokens: list[str] = []
    word: list[str] | None = None
    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("space", "op"):
            if word is not None:
                tokens.append("".join(word))
                word = None
            if kind == "op":
                tokens.append(m.group("op"))
            continue
        piece = m.group(kind or "bare") or ""
        if kind in ("dq", "bare"):
            piece = UNESCAPE.sub(r"\1", piece)
        word = [*(word or []), piece]
    if word is not None:
        tokens.append("".join(word))
    return tokens


@functools.lru_cache(maxsize=256)
def _commands(script: str) -> tuple[Command, ...]:
    return tuple(_parse(script))


def commands(script: str) -> list[Command]:
    return list(_commands(script))


def _parse(script: str) -> list[Command]:
    """Each simple command with leading assignments and wrappers (`sudo`, `env`) removed."""
    groups: list[tuple[list[str], str]] = []
    current: list[str] = []
    for tok in _tokens(script):
        if tok in OPERATORS or tok.replace("\n", "") == "":
            groups.append((current, tok))
            current = []
        else:
            current.append(tok)
    groups.append((current, ""))
    cleaned: list[tuple[tuple[str, ...], str]] = []
    for words, op in groups:
        i = 0
        while i < len(words) and (
            ASSIGNMENT.match(words[i])
            or words[i] in WRAPPERS
            or words[i] in ("(", "{", "then", "do", "else", "!")
        ):
            i += 1
        if i < len(words):
            cleaned.append((tuple(words[i:]), op))
    return [
        Command(words, cleaned[n + 1][0] if op == "|" and n + 1 < len(cleaned) else None)
        for n, (words, op) in enumerate(cleaned)
    ]


def raw_words(script: str) -> list[tuple[str, ...]]:
    """Commands with wrappers kept, for rules about the wrappers themselves (`sudo`)."""
    out = []
    for tok_group in re.split(r"&&|\|\||[;|\n]", script.replace("\\\n", " ")):
        words = tok_group.split()
        while words and (ASSIGNMENT.match(words[0]) or words[0] in ("(", "{", "then", "do", "else", "!")):
            words = words[1:]
        if words:
            out.append(tuple(words))
    return out
