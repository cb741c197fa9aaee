"""Output templates: `%proc.name`, `%proc.aname[2]`, `%(fd.name)`, resolved at load, rendered per event."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic

from hullguard.events.compiler import resolve
from hullguard.events.fields import E, Extractor, FieldTable, Value
from hullguard.events.syntax import FieldRef

_PLACEHOLDER = re.compile(r"%\(([A-Za-z_][\w.]*)(?:\[([^\]]*)\])?\)|%([A-Za-z_]\w*(?:\.\w+)+)(?:\[([^\]]*)\])?")
MISSING = "<NA>"


@dataclass(frozen=True, slots=True)
class Template(Generic[E]):
    text: str
    parts: tuple[str | tuple[FieldRef, Extractor[E], str | None], ...]

    @property
    def fields(self) -> tuple[FieldRef, ...]:
        return tuple(p[0] for p in self.parts if isinstance(p, tuple))

    def render(self, event: E) -> str:
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                out.append(render_value(part[1](event, part[2])))
        return "".join(out)


def render_value(value: Value) -> str:
    if value is None:
        return MISSING
    if isinstance(value, tuple):
        return ",".join(render_value(v) for v in value) if value else MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def compile_template(text: str, table: FieldTable[E]) -> Template[E]:
    """The template with each placeholder bound to its extractor; UnknownField if one has none."""
    parts: list[str | tuple[FieldRef, Extractor[E], str | None]] = []
    last = 0
    for m in _PLACEHOLDER.finditer(text):
        name, arg = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        ref = FieldRef(name, arg)
        spec, resolved_arg = resolve(ref, table)
        parts.extend((text[last:m.start()], (ref, spec.extract, resolved_arg)))
        last = m.end()
    parts.append(text[last:])
    return Template(text=text, parts=tuple(p for p in parts if p != ""))
