"""Falco's k8saudit rule files over audit events, through the same Falco-language engine as the
runtime monitor: `fields.FIELDS` becomes the engine's `k8s_audit` field table."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from hullguard.events.fields import ArgKind, FieldSpec, FieldTable, FieldType, Value
from hullguard.events.output import render_value
from hullguard.events.ruleset import RuleSet, load_files
from hullguard.host.auditlog.event import AuditEvent
from hullguard.host.auditlog.fields import FIELDS, field
from hullguard.host.auditlog.rules import event_location
from hullguard.model import Issue, RuntimeAlert

SOURCE = "k8s_audit"
LISTS = frozenset({
    "ka.user.groups", "ka.sourceips", "ka.req.binding.subjects", "ka.req.pod.containers.image",
    "ka.req.pod.initContainers.image", "ka.req.pod.ephemeralContainers.image",
    "ka.req.pod.containers.image.repository", "ka.req.role.rules", "ka.req.role.rules.verbs",
    "ka.req.role.rules.resources", "ka.req.service.ports", "ka.req.pod.containers.privileged",
    "ka.req.pod.initContainers.privileged", "ka.req.pod.ephemeralContainers.privileged",
    "ka.req.pod.volumes.hostpath",
})
"""Fields Falco treats as lists: `in` and `intersects` hold when any element matches."""


def _getter(name: str) -> object:
    def extract(event: AuditEvent, _arg: str | None) -> Value:
        return FIELDS[name](event)

    return extract


def _param(event: AuditEvent, arg: str | None) -> Value:
    return field(event, f"ka.uri.param[{arg}]")


def _pointer(event: AuditEvent, arg: str | None) -> Value:
    """`jevt.value[/objectRef/resource]`: an RFC 6901 JSON pointer into the raw event."""
    value: object = event.raw
    for token in (arg or "").split("/")[1:]:
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"))


def _rawtime(event: AuditEvent, _arg: str | None) -> Value:
    """Nanoseconds since the epoch of the event's stage timestamp (Falco's jevt.rawtime)."""
    text = str(event.raw.get("stageTimestamp") or event.time or "")
    try:
        whole, _, fraction = text.rstrip("Z").partition(".")
        seconds = datetime.fromisoformat(whole).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None
    return str(int(seconds) * 1_000_000_000 + int((fraction or "0")[:9].ljust(9, "0")))


AUDIT_TABLE: FieldTable[AuditEvent] = FieldTable(
    source=SOURCE,
    specs=(
        *(
            FieldSpec(name=name, type=FieldType.STRING, extract=_getter(name), multi=name in LISTS)  # type: ignore[arg-type]
            for name in FIELDS
        ),
        FieldSpec(name="ka.uri.param", type=FieldType.STRING, extract=_param, arg=ArgKind.KEY, arg_required=True),
        FieldSpec(name="jevt.value", type=FieldType.STRING, extract=_pointer, arg=ArgKind.KEY, arg_required=True),
        FieldSpec(name="jevt.rawtime", type=FieldType.STRING, extract=_rawtime),
        FieldSpec(name="jevt.time", type=FieldType.STRING, extract=lambda e, _: e.time),
        FieldSpec(
            name="jevt.obj", type=FieldType.STRING,
            extract=lambda e, _: json.dumps(e.raw, sort_keys=True, separators=(",", ":")),
        ),
    ),
)


def load_audit_rules(paths: Sequence[Path]) -> tuple[RuleSet[AuditEvent], list[Issue]]:
    """The k8s_audit rules of these files; every rule that did not load is an issue saying why
    (rules of another source, such as syscall rules in the same file, are named too)."""
    ruleset: RuleSet[AuditEvent] = load_files(paths, {SOURCE: AUDIT_TABLE})
    issues = [
        Issue(stage="audit-log", path=f"{p.file}:{p.line}", message=f"{p.kind} {p.name!r} not loaded: {p.message}")
        for p in ruleset.problems
    ]
    return ruleset, issues


def evaluate_falco(ruleset: RuleSet[AuditEvent], events: Iterable[AuditEvent]) -> Iterator[RuntimeAlert]:
    rules = [r for r in ruleset.rules if r.enabled and r.source == SOURCE]
    for event in events:
        for rule in rules:
            if rule.condition.evaluate(event):
                yield RuntimeAlert(
                    id=rule.name,
                    severity=rule.priority.severity,
                    title=rule.name,
                    output=rule.output.render(event),
                    time=event.time,
                    location=event_location(event),
                    fields=tuple((_label(ref.name, ref.arg), _text(event, ref.name, ref.arg)) for ref in rule.fields),
                    tags=rule.tags,
                    source=SOURCE,
                )


def _label(name: str, arg: str | None) -> str:
    return name if arg is None else f"{name}[{arg}]"


def _text(event: AuditEvent, name: str, arg: str | None) -> str:
    found = AUDIT_TABLE.resolve(name, arg)
    return render_value(found[0].extract(event, found[1]) if found else None)
