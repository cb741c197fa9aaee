"""The shell inside RUN, parsed by tree-sitter's bash grammar: commands, words, sequencing, pipes.

Why tree-sitter-bash: a real grammar (quoting, expansions, subshells, `if`/`for`/`case`, heredocs)
maintained with the tree-sitter project, MIT-licensed, a C parser in a wheel (tens of µs per RUN),
and it never gives up: a script with a syntax error still yields every command it can see, inside
ERROR nodes. bashlex, the other candidate, is GPL-3.0 and unmaintained since 2023.

A rule sees `Command`s: the words of each simple command with quotes removed as the shell would,
leading assignments and wrappers (`sudo`, `env`, ...) set aside, the operator that joins it to the
command before (`&&`, `||`, `;`, `|`), the command it pipes into, and whether it runs in a subshell.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import tree_sitter_bash
from tree_sitter import Language, Node, Parser

WRAPPERS = frozenset({"sudo", "env", "nice", "nohup", "time", "exec", "command", "eatmydata", "xargs", "doas"})
"""Commands that run their arguments as a command: `sudo apt-get install` is an apt-get install."""
WRAPPER_ARGS = {"sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"}), "env": frozenset({"-u", "-C"})}
"""Options of a wrapper that take a value (`sudo -u app cmd`)."""
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_BASH = Language(tree_sitter_bash.language())
STRUCTURE = frozenset({
    "program", "list", "pipeline", "subshell", "compound_statement", "redirected_statement", "if_statement",
    "elif_clause", "else_clause", "for_statement", "c_style_for_statement", "while_statement", "do_group",
    "case_statement", "case_item", "negated_command", "function_definition", "ERROR",
})
"""Nodes whose children may hold commands."""


@dataclass(frozen=True, slots=True)
class Command:
    words: tuple[str, ...]
    """The command and its arguments, wrappers and leading assignments removed."""
    piped_to: tuple[str, ...] | None = None
    """The words of the command this one pipes into, if any."""
    raw: tuple[str, ...] = ()
    """The words as written, wrappers kept (`sudo apt-get ...`)."""
    joined_by: str = ""
    """The operator between this command and the one before it: `&&`, `||`, `;`, `|`, `&`, or ``."""
    in_subshell: bool = False
    assignments: tuple[str, ...] = ()
    """`NAME=value` words before the command (its environment)."""

    @property
    def name(self) -> str:
        return self.words[0].rsplit("/", 1)[-1] if self.words else ""

    @property
    def args(self) -> tuple[str, ...]:
        return self.words[1:]

    def has(self, *flags: str) -> bool:
        return any(
            w in flags or any(w.startswith(f + "=") for f in flags if f.startswith("--")) for w in self.words
        )

    def has_short(self, letter: str) -> bool:
        """A short option letter, alone or bundled (`-y`, `-qy`)."""
        return any(w.startswith("-") and not w.startswith("--") and letter in w[1:] for w in self.words)

    def sub(self, *names: str) -> bool:
        """The first non-option word after the command is one of `names` (`apt-get install`)."""
        rest = self.operands()
        return bool(rest) and rest[0] in names

    def operands(self, takes_value: frozenset[str] = frozenset()) -> list[str]:
        """The arguments that are not options; `takes_value` names options whose value follows."""
        out: list[str] = []
        skip = False
        for w in self.words[1:]:
            if skip:
                skip = False
            elif w == "--":
                continue
            elif w.startswith("-") and len(w) > 1:
                skip = w in takes_value
            else:
                out.append(w)
        return out


@functools.lru_cache(maxsize=1024)
def _commands(script: str) -> tuple[Command, ...]:
    tree = Parser(_BASH).parse(script.encode("utf-8", "surrogateescape"))
    found: list[Command] = []
    _walk(tree.root_node, found, joined_by="", subshell=False)
    return tuple(found)


def commands(script: str) -> list[Command]:
    return list(_commands(script))


def raw_words(script: str) -> list[tuple[str, ...]]:
    """Commands with wrappers kept, for rules about the wrappers themselves (`sudo`)."""
    return [c.raw for c in _commands(script) if c.raw]


def _walk(node: Node, out: list[Command], joined_by: str, subshell: bool) -> None:
    if node.type == "command":
        command = _command(node, joined_by, subshell)
        if command is not None:
            out.append(command)
        _nested(node, out, subshell)
        return
    if node.type not in STRUCTURE:
        _nested(node, out, subshell)
        return
    inner = subshell or node.type == "subshell"
    op = joined_by
    first_in_pipe: int | None = None
    for child in node.children:
        if not child.is_named:
            if child.type in ("&&", "||", ";", "|", "&", "|&", ";;"):
                op = child.type
            continue
        before = len(out)
        _walk(child, out, op, inner)
        if node.type == "pipeline" and len(out) > before:
            if first_in_pipe is not None and op in ("|", "|&"):
                prev = out[first_in_pipe]
                out[first_in_pipe] = Command(
                    prev.words, out[before].words, prev.raw, prev.joined_by, prev.in_subshell, prev.assignments
                )
            first_in_pipe = len(out) - 1
        if len(out) > before:
            op = ";"


def _nested(node: Node, out: list[Command], subshell: bool) -> None:
    """Commands inside command substitutions and process substitutions (`$(...)`, `<(...)`)."""
    for child in node.children:
        if child.type in ("command_substitution", "process_substitution"):
            _walk_children(child, out)
        elif child.is_named and child.type not in STRUCTURE and child.child_count:
            _nested(child, out, subshell)


def _walk_children(node: Node, out: list[Command]) -> None:
    for child in node.children:
        if child.is_named:
            _walk(child, out, "", True)


def _command(node: Node, joined_by: str, subshell: bool) -> Command | None:
    assignments: list[str] = []
    words: list[str] = []
    for child in node.children:
        if child.type == "variable_assignment":
            assignments.append(_text(child))
        elif child.type == "command_name" or (child.is_named and child.type not in ("file_redirect", "herestring_redirect", "comment")):
            words.append(_word(child))
    if not words:
        return None
    raw = tuple(words)
    return Command(_unwrap(words), None, raw, joined_by, subshell, tuple(assignments))


def _unwrap(words: list[str]) -> tuple[str, ...]:
    i = 0
    while i < len(words):
        w = words[i]
        name = w.rsplit("/", 1)[-1]
        if ASSIGNMENT.match(w) or w in ("!", "{", "("):
            i += 1
        elif name in WRAPPERS:
            i += 1
            while i < len(words) and words[i].startswith("-"):
                i += 2 if words[i] in WRAPPER_ARGS.get(name, ()) else 1
        else:
            break
    return tuple(words[i:])


def _word(node: Node) -> str:
    """A shell word as the shell would see it after quote removal (expansions kept as written)."""
    match node.type:
        case "command_name":
            return "".join(_word(c) for c in node.children)
        case "string":
            return "".join(_word(c) if c.is_named else "" for c in node.children)
        case "raw_string":
            return _text(node)[1:-1]
        case "ansi_c_string":
            return _text(node)[2:-1]
        case "concatenation":
            return "".join(_word(c) for c in node.children)
        case "word":
            return re.sub(r"\\(.)", r"\1", _text(node))
        case _:
            return _text(node)


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "surrogateescape")
