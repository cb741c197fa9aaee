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
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from hullguard.host.auditlog.event import AuditEvent
from hullguard.host.auditlog.fields import FIELDS, Value, field
from hullguard.host.catalogue import Benchmark, Control, controls
from hullguard.model import KubeObject, Location, RuntimeAlert, Subject

Test = Callable[[AuditEvent], bool]


def _elements(value: Value) -> tuple[str, ...]:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def _strings(arg: Any) -> tuple[str, ...]:
    return tuple(str(a) for a in arg) if isinstance(arg, list) else (str(arg),)


def _op(op: str, arg: Any) -> Callable[[tuple[str, ...]], bool]:
    """One operator, its argument parsed once."""
    args = _strings(arg)
    if op == "startswith":
        return lambda items: any(i.startswith(args) for i in items)
    if op == "contains":
        return lambda items: any(a in i for i in items for a in args)
    if op == "exists":
        want = args[0].lower() == "true"
        return lambda items: bool(items) == want
    if op in ("in_cidr", "not_in_cidr"):
        networks = tuple(ipaddress.ip_network(a, strict=False) for a in args)
        inside = op == "in_cidr"
        return lambda items: bool(items) and _in(items[0], networks) == inside
    if op == "gte":
        bound = int(args[0])
        return lambda items: any(i.isdigit() and int(i) >= bound for i in items)
    raise KeyError(f"unknown audit condition operator {op}")


def _in(ip: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in n for n in networks)


def _matcher(expected: Any) -> Callable[[tuple[str, ...]], bool]:
    if isinstance(expected, list):
        allowed = frozenset(str(x) for x in expected)
        return lambda items: any(i in allowed for i in items)
    if not isinstance(expected, dict):
        wanted = str(expected)
        return lambda items: wanted in items
    ops = [_op(op, arg) for op, arg in expected.items()]
    return lambda items: all(o(items) for o in ops)


def _getter(name: str) -> Callable[[AuditEvent], Value]:
    if name.startswith("ka.uri.param["):
        return lambda e: field(e, name)
    if name not in FIELDS:
        raise KeyError(f"unknown audit field {name}")
    return FIELDS[name]


def _test(name: str, expected: Any) -> Test:
    get, match = _getter(name), _matcher(expected)
    return lambda e: match(_elements(get(e)))


def _all(conditions: dict[str, Any]) -> list[Test]:
    return [_test(name, expected) for name, expected in conditions.items()]


def compile_rule(spec: dict[str, Any]) -> Test:
    """The rule's condition as one function; field names and operators are checked here, once."""
    stages = frozenset(spec.get("stages", ["ResponseComplete"]))
    every = _all(spec.get("all") or {})
    options = [_all(c) for c in spec.get("any") or ()]
    never = _all(spec.get("none") or {})

    def test(e: AuditEvent) -> bool:
        return (
            e.stage in stages
            and all(t(e) for t in every)
            and (not options or any(all(t(e) for t in option) for option in options))
            and not any(t(e) for t in never)
        )

    return test


def rule_matches(event: AuditEvent, spec: dict[str, Any]) -> bool:
    return compile_rule(spec)(event)


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
    compiled = [(control, spec, compile_rule(spec)) for control, spec in rules]
    seen: set[tuple[str, str]] = set()
    matched: dict[str, set[tuple[str, str]]] = {}
    """Objects each rule matched so far: a rule with `target_matched_by: RULE` fires only on
    objects that rule matched earlier in the log (an exec into a pod created privileged)."""
    for event in events:
        for control, spec, test in compiled:
            if (control.id, event.audit_id) in seen or not test(event):
                continue
            earlier = spec.get("target_matched_by")
            if earlier and (event.namespace, event.name) not in matched.get(f"HG-AUDIT-{earlier}", set()):
                continue
            seen.add((control.id, event.audit_id))
            matched.setdefault(control.id, set()).add((event.namespace, _object_name(event)))
            yield alert(control, spec, event)


def _object_name(event: AuditEvent) -> str:
    """A create's objectRef may lack the name the object gets; the request body has it."""
    if event.name:
        return event.name
    body = event.raw.get("requestObject")
    meta = body.get("metadata") if isinstance(body, dict) else None
    return str(meta.get("name", "")) if isinstance(meta, dict) else ""


def alert(control: Control, spec: dict[str, Any], event: AuditEvent) -> RuntimeAlert:
    used = sorted(set(_TOKEN.findall(spec.get("output", ""))) | set(spec.get("all") or {}))
    return RuntimeAlert(
        id=control.id,
        severity=control.severity,
        title=control.title,
        output=render(event, spec.get("output", control.title)),
        time=event.time,
        location=event_location(event),
        fields=tuple((name, render(event, f"%{name}")) for name in used),
        tags=("k8s_audit",),
        source="k8s_audit",
    )


def event_location(event: AuditEvent) -> Location:
    """Where an audit alert points: the log line, the object the request was about, the user."""
    return Location(
        path=event.where,
        object=KubeObject(
            kind=event.resource or "(non-resource)",
            name=event.name or event.uri,
            namespace=event.namespace or None,
        )
        if event.resource or event.uri
        else None,
        subject=Subject(kind="User", name=event.user) if event.user else None,
    )
