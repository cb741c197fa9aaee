"""Rule files loaded into a RuleSet: every rule compiled, or reported with the reason it was not."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic

from hullguard.events.compiler import Compiled, Definitions, compile_condition, expand
from hullguard.events.documents import Entry, read_entries
from hullguard.events.errors import ConditionError
from hullguard.events.exceptions import exception_clause
from hullguard.events.fields import E, FieldTable
from hullguard.events.merge import Draft, Merged, Problem
from hullguard.events.output import Template, compile_template
from hullguard.events.priority import Priority
from hullguard.events.syntax import And, FieldRef, Node, Not, parse

DEFAULT_SOURCE = "syscall"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule(Generic[E]):
    name: str
    desc: str
    priority: Priority
    tags: tuple[str, ...]
    source: str
    enabled: bool
    condition: Compiled[E]
    output: Template[E]
    file: str
    line: int

    @property
    def fields(self) -> tuple[FieldRef, ...]:
        return tuple(dict.fromkeys((*self.condition.fields, *self.output.fields)))


@dataclass(frozen=True, slots=True)
class RuleSet(Generic[E]):
    rules: tuple[Rule[E], ...]
    """Every rule that compiled, enabled or not."""
    problems: tuple[Problem, ...]
    """Every rule (or list, macro, file directive) that did not load, with the reason."""
    _by_type: Mapping[str, tuple[Rule[E], ...]] = field(init=False, repr=False, compare=False)
    _wildcard: tuple[Rule[E], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_type: dict[str, list[Rule[E]]] = {}
        wildcard: list[Rule[E]] = []
        for rule in (r for r in self.rules if r.enabled):
            types = rule.condition.event_types
            for t in types or ():
                by_type.setdefault(t, []).append(rule)
            if types is None:
                wildcard.append(rule)
        object.__setattr__(self, "_by_type", {t: (*rs, *wildcard) for t, rs in by_type.items()})
        object.__setattr__(self, "_wildcard", tuple(wildcard))

    def candidates(self, event_type: str) -> tuple[Rule[E], ...]:
        """The enabled rules that may match an event of this type (the rest cannot)."""
        return self._by_type.get(event_type, self._wildcard)

    def matches(self, event: E, event_type: str) -> Iterator[Rule[E]]:
        for rule in self.candidates(event_type):
            if rule.condition.evaluate(event):
                yield rule


def load_files(paths: Sequence[Path], tables: Mapping[str, FieldTable[Any]]) -> RuleSet[Any]:
    """Rule files merged in order (as Falco loads `-r A -r B`), compiled against `tables` by source."""
    entries: list[Entry] = []
    for path in paths:
        entries.extend(read_entries(path))
    return load_entries(entries, tables)


def load_entries(entries: Sequence[Entry], tables: Mapping[str, FieldTable[Any]]) -> RuleSet[Any]:
    merged = Merged()
    for entry in entries:
        merged.add(entry)
    problems = merged.problems
    defs = Definitions(lists=_lists(merged.lists), macros=_macros(merged.macros, problems))
    rules = []
    for draft in merged.rules.values():
        try:
            rules.append(_compile(draft, defs, tables))
        except ConditionError as e:
            problems.append(Problem(file=draft.file, line=draft.line, kind="rule", name=draft.name, message=str(e)))
    return RuleSet(rules=tuple(rules), problems=tuple(problems))


def _lists(drafts: Mapping[str, Draft]) -> dict[str, tuple[str, ...]]:
    resolved: dict[str, tuple[str, ...]] = {}

    def items(name: str, seen: tuple[str, ...]) -> tuple[str, ...]:
        if name in resolved:
            return resolved[name]
        out: list[str] = []
        for item in drafts[name].fields.get("items") or []:
            text = _unquote(str(item))
            out.extend(items(text, (*seen, name)) if text in drafts and text not in seen else (text,))
        resolved[name] = tuple(out)
        return resolved[name]

    for name in drafts:
        items(name, ())
    return resolved


def _unquote(item: str) -> str:
    # Falco pastes list items into the condition text, so `'"10.0.0.0/8"'` is the string 10.0.0.0/8.
    if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
        return item[1:-1]
    return item


def _macros(drafts: Mapping[str, Draft], problems: list[Problem]) -> dict[str, Node]:
    macros: dict[str, Node] = {}
    for draft in drafts.values():
        try:
            macros[draft.name] = parse(_text(draft.fields.get("condition"), "condition"))
        except ConditionError as e:
            problems.append(Problem(file=draft.file, line=draft.line, kind="macro", name=draft.name, message=str(e)))
    return macros


def _compile(draft: Draft, defs: Definitions, tables: Mapping[str, FieldTable[Any]]) -> Rule[Any]:
    f = draft.fields
    source = str(f.get("source") or DEFAULT_SOURCE)
    table = tables.get(source)
    if table is None:
        raise ConditionError(f"event source {source!r} is not supported here ({', '.join(tables)} are)")
    node = parse(_text(f.get("condition"), "condition"))
    clause = exception_clause(f.get("exceptions"))
    if clause is not None:
        node = And((node, Not(clause)))
    try:
        priority = Priority.parse(_text(f.get("priority"), "priority"))
    except ValueError as e:
        raise ConditionError(str(e)) from None
    tags = f.get("tags") or []
    return Rule(
        name=draft.name,
        desc=str(f.get("desc") or ""),
        priority=priority,
        tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
        source=source,
        enabled=f.get("enabled", True) is not False,
        condition=compile_condition(expand(node, defs), table),
        output=compile_template(_text(f.get("output"), "output").strip(), table),
        file=draft.file,
        line=draft.line,
    )


def _text(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConditionError(f"missing {key}")
    return value
