"""Entries of several rule files merged in order, as Falco does: later files append to, override
or disable what earlier ones defined (`append: true`, `override: {key: append|replace}`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from hullguard.events.documents import Entry

ENGINE_VERSION = (0, 57, 0)
"""The Falco rules-language version this engine accepts (`required_engine_version`)."""

_RULE_KEYS = ("condition", "output", "desc", "priority", "tags", "exceptions", "enabled", "source")
_APPENDABLE = frozenset({"condition", "output", "desc", "tags", "exceptions", "items"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """Something in the rule files that was not loaded, and why: never silently dropped."""

    file: str
    line: int
    kind: str
    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind} {self.name!r}: {self.message}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Draft:
    """A definition as merged so far, with where it was first defined."""

    name: str
    fields: dict[str, Any]
    file: str
    line: int


@dataclass(slots=True)
class Merged:
    lists: dict[str, Draft] = dataclasses.field(default_factory=dict)
    macros: dict[str, Draft] = dataclasses.field(default_factory=dict)
    rules: dict[str, Draft] = dataclasses.field(default_factory=dict)
    problems: list[Problem] = dataclasses.field(default_factory=list)

    def add(self, entry: Entry) -> None:
        match entry.kind:
            case "required_engine_version":
                self._engine_version(entry)
            case "required_plugin_versions":
                pass  # container.* and k8s.* fields are built in, not plugins
            case "list":
                self._merge(self.lists, entry, ("items",))
            case "macro":
                self._merge(self.macros, entry, ("condition",))
            case "rule":
                self._merge(self.rules, entry, _RULE_KEYS)

    def _problem(self, entry: Entry, message: str) -> None:
        self.problems.append(Problem(file=entry.file, line=entry.line, kind=entry.kind, name=entry.name, message=message))

    def _engine_version(self, entry: Entry) -> None:
        wanted = entry.body["required_engine_version"]
        parts = str(wanted).split(".")
        if len(parts) == 1 and parts[0].isdigit():
            return  # the old integer versions all predate 0.x.y semantic versions
        try:
            version = tuple(int(p) for p in parts)
        except ValueError:
            self._problem(entry, f"unreadable required_engine_version {wanted!r}")
            return
        if version > ENGINE_VERSION:
            have = ".".join(map(str, ENGINE_VERSION))
            self._problem(entry, f"file needs engine version {wanted}; hullguard implements {have}")

    def _merge(self, table: dict[str, Draft], entry: Entry, keys: tuple[str, ...]) -> None:
        if not entry.name:
            self._problem(entry, f"{entry.kind} has no name")
            return
        body = {k: entry.body[k] for k in keys if k in entry.body}
        modes = self._modes(entry, body)
        if modes is None:
            return
        current = table.get(entry.name)
        if not modes:
            if entry.kind == "rule" and set(body) <= {"enabled"}:
                modes = {"enabled": "replace"}  # `- rule: X / enabled: false` toggles an existing rule
            else:
                table[entry.name] = Draft(name=entry.name, fields=body, file=entry.file, line=entry.line)
                return
        if current is None:
            self._problem(entry, f"appends to or overrides a {entry.kind} that is not defined before it")
            return
        fields = dict(current.fields)
        for key, mode in modes.items():
            if key not in body:
                self._problem(entry, f"override of {key!r} without a new {key!r}")
                continue
            fields[key] = _append(fields.get(key), body[key]) if mode == "append" else body[key]
        table[entry.name] = dataclasses.replace(current, fields=fields)

    def _modes(self, entry: Entry, body: dict[str, Any]) -> dict[str, str] | None:
        if entry.body.get("append") is True:
            return {k: "append" for k in body if k in _APPENDABLE} or {k: "replace" for k in body}
        override = entry.body.get("override")
        if override is None:
            return {}
        if not isinstance(override, dict) or any(v not in ("append", "replace") for v in override.values()):
            self._problem(entry, "override must map keys to append or replace")
            return None
        bad = [k for k, v in override.items() if v == "append" and k not in _APPENDABLE]
        if bad:
            self._problem(entry, f"cannot append to {', '.join(bad)}")
            return None
        return {str(k): str(v) for k, v in override.items()}


def _append(old: Any, new: Any) -> Any:
    if isinstance(old, list) and isinstance(new, list):
        return _append_exceptions(old, new) if new and isinstance(new[0], dict) else [*old, *new]
    if isinstance(old, str) and isinstance(new, str):
        return f"{old} {new}"
    return new if old is None else old


def _append_exceptions(old: list[Any], new: list[Any]) -> list[Any]:
    """Exceptions appended by name: values join an existing exception, others are added."""
    merged = [dict(e) if isinstance(e, dict) else e for e in old]
    by_name = {e.get("name"): e for e in merged if isinstance(e, dict)}
    for exc in new:
        if isinstance(exc, dict) and exc.get("name") in by_name:
            target = by_name[exc.get("name")]
            target["values"] = [*(target.get("values") or []), *(exc.get("values") or [])]
        else:
            merged.append(exc)
    return merged
