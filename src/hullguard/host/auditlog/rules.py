"""Native audit-log rules (data in data/host/audit-log.yaml) evaluated over audit events.

A rule's `event` check holds: `stages` (default ResponseComplete), `all` (every field matches),
`any` (a list of such mappings, one must match), `none` (no field matches), and `output`, a
template with `%ka.field` references as in Falco. A field matches a scalar by equality, a list
by membership, or an operator mapping: startswith, contains, exists, in_cidr, not_in_cidr,
gte. List-valued fields (groups, images, privileged flags) match when any element does.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from typing import Any

from hullguard.host.auditlog.event import AuditEvent
from hullguard.host.auditlog.fields import Value, field
from hullguard.host.catalogue import Benchmark, Control, controls
from hullguard.model import KubeObject, Location, RuntimeAlert, Subject


def _elements(value: Value) -> tuple[str, ...]:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def _in_cidrs(ip: str, cidrs: Iterable[str]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(c, strict=False) for c in cidrs)


def _op(op: str, items: tuple[str, ...], args: list[str]) -> bool:
    if op == "startswith":
        return any(i.startswith(tuple(args)) for i in items)
    if op == "contains":
        return any(a in i for i in items for a in args)
    if op == "exists":
        return bool(items) == (args[0].lower() == "true")
    if op == "in_cidr":
        return bool(items) and _in_cidrs(items[0], args)
    if op == "not_in_cidr":
        return bool(items) and not _in_cidrs(items[0], args)
    if op == "gte":
        return any(i.isdigit() and int(i) >= int(args[0]) for i in items)
    raise KeyError(f"unknown audit condition operator {op}")


def matches(value: Value, expected: Any) -> bool:
    items = _elements(value)
    if isinstance(expected, list):
        return any(item in [str(x) for x in expected] for item in items)
    if not isinstance(expected, dict):
        return str(expected) in items
    return all(
        _op(op, items, [str(a) for a in arg] if isinstance(arg, list) else [str(arg)])
        for op, arg in expected.items()
    )


def _all(event: AuditEvent, conditions: dict[str, Any]) -> bool:
    return all(matches(field(event, name), expected) for name, expected in conditions.items())


def rule_matches(event: AuditEvent, spec: dict[str, Any]) -> bool:
    if event.stage not in spec.get("stages", ["ResponseComplete"]):
        return False
    if not _all(event, spec.get("all") or {}):
        return False
    if spec.get("any") and not any(_all(event, c) for c in spec["any"]):
        return False
    return not any(
        matches(field(event, name), expected) for name, expected in (spec.get("none") or {}).items()
    )


_TOKEN = re.compile(r"%(ka\.[a-z_.]+(?:\[[^\]]+\])?)")


def render(event: AuditEvent, template: str) -> str:
    def value(m: re.Match[str]) -> str:
        got = field(event, m.group(1))
        return ",".join(got) if isinstance(got, tuple) else (got or "<NA>")

    return _TOKEN.sub(value, template)


def event_rules() -> tuple[tuple[Control, dict[str, Any]], ...]:
    return tuple(
        (c, spec["event"]) for c in controls(Benchmark.AUDIT_LOG) for spec in c.checks if "event" in spec
    )


def _with_cidrs(spec: dict[str, Any], cidrs: tuple[str, ...]) -> dict[str, Any]:
    conditions = {
        name: {**expected, "not_in_cidr": list(cidrs)}
        if isinstance(expected, dict) and "not_in_cidr" in expected
        else expected
        for name, expected in (spec.get("all") or {}).items()
    }
    return {**spec, "all": conditions}


def evaluate(events: Iterable[AuditEvent], cluster_cidrs: tuple[str, ...] = ()) -> Iterator[RuntimeAlert]:
    """One alert per rule and audit ID (an exec is logged at ResponseStarted and ResponseComplete).
    `cluster_cidrs` replaces the private ranges a service account token is expected to come from."""
    rules = event_rules()
    if cluster_cidrs:
        rules = tuple((c, _with_cidrs(spec, cluster_cidrs)) for c, spec in rules)
    seen: set[tuple[str, str]] = set()
    for event in events:
        for control, spec in rules:
            if (control.id, event.audit_id) in seen or not rule_matches(event, spec):
                continue
            seen.add((control.id, event.audit_id))
            yield alert(control, spec, event)


def alert(control: Control, spec: dict[str, Any], event: AuditEvent) -> RuntimeAlert:
    used = sorted(set(_TOKEN.findall(spec.get("output", ""))) | set(spec.get("all") or {}))
    return RuntimeAlert(
        id=control.id,
        severity=control.severity,
        title=control.title,
        output=render(event, spec.get("output", control.title)),
        time=event.time,
        location=Location(
            path=event.where,
            object=KubeObject(
                kind=event.resource or "(non-resource)",
                name=event.name or event.uri,
                namespace=event.namespace or None,
            )
            if event.resource or event.uri
            else None,
            subject=Subject(kind="User", name=event.user) if event.user else None,
        ),
        fields=tuple((name, render(event, f"%{name}")) for name in used),
        tags=("k8s_audit",),
        source="k8s_audit",
    )
