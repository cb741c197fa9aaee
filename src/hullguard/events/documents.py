"""Rule files read into typed entries (list, macro, rule, engine version), each with its line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hullguard.events.errors import RuleFileError

MAX_FILE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One top-level item of a rules file: `kind` is list, macro, rule or a file directive."""

    kind: str
    name: str
    body: dict[str, Any]
    file: str
    line: int


_KINDS = ("rule", "macro", "list", "required_engine_version", "required_plugin_versions")


def read_entries(path: Path) -> tuple[Entry, ...]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise RuleFileError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RuleFileError(f"{path}: cannot read: {e}") from e
    return parse_entries(text, str(path))


def parse_entries(text: str, file: str) -> tuple[Entry, ...]:
    """The entries of one rules document; RuleFileError when it is not a YAML list of mappings."""
    try:
        doc = yaml.safe_load(text)
        # Composed again only for the line of each item: safe_load keeps no positions.
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise RuleFileError(f"{file}{where}: not valid YAML: {getattr(e, 'problem', e)}") from None
    if doc is None:
        return ()
    if not isinstance(doc, list):
        raise RuleFileError(f"{file}: a rules file is a YAML list of rule, macro and list items")
    lines = [n.start_mark.line + 1 for n in root.value] if isinstance(root, yaml.SequenceNode) else []
    entries: list[Entry] = []
    for index, item in enumerate(doc):
        if not isinstance(item, dict):
            raise RuleFileError(f"{file}: every item must be a mapping, found {type(item).__name__}")
        line = lines[index] if index < len(lines) else 0
        kind = next((k for k in _KINDS if k in item), None)
        if kind is None:
            keys = ", ".join(sorted(item)) or "nothing"
            raise RuleFileError(f"{file}:{line}: item has {keys}; expected one of {', '.join(_KINDS)}")
        name = item[kind]
        entries.append(Entry(kind=kind, name=name if isinstance(name, str) else "", body=item, file=file, line=line))
    return tuple(entries)
