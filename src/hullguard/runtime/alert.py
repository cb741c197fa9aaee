"""A matched rule and its event as a RuntimeAlert finding (and as Falco's own JSON shape)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hullguard.events.output import render_value
from hullguard.events.ruleset import Rule
from hullguard.model import ContainerRef, Location, ProcessInfo, RuntimeAlert, Severity
from hullguard.runtime.accounts import user_of
from hullguard.runtime.event import HOST, SyscallEvent
from hullguard.runtime.fields import SYSCALL_FIELDS

MAX_PARENTS = 8


def rfc3339(ts_ns: int) -> str:
    seconds, nanos = divmod(ts_ns, 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


def process_info(event: SyscallEvent) -> ProcessInfo:
    p = event.process
    return ProcessInfo(
        pid=p.pid, name=p.name, exe=p.exepath or p.exe, cmdline=p.cmdline or None,
        user=(user_of(p, p.uid) or str(p.uid)) if p.uid is not None else None, tty=p.tty,
        parents=tuple(a.name for a in p.ancestors()[:MAX_PARENTS]),
    )


def container_ref(event: SyscallEvent) -> ContainerRef:
    c = event.process.container
    return ContainerRef(id=c.id, name=c.name if c.id != HOST else HOST, image=c.image)


def rule_alert(rule: Rule[SyscallEvent], event: SyscallEvent, note: str = "") -> RuntimeAlert:
    fields = []
    for ref in rule.fields:
        found = SYSCALL_FIELDS.resolve(ref.name, ref.arg)
        if found is not None:
            fields.append((str(ref), render_value(found[0].extract(event, found[1]))))
    return RuntimeAlert(
        id=rule.name, severity=rule.priority.severity, title=rule.desc.strip().split("\n")[0][:200] or rule.name,
        output=rule.output.render(event) + note, time=rfc3339(event.ts_ns),
        location=Location(container=container_ref(event)), process=process_info(event), fields=tuple(fields),
        tags=rule.tags, source=rule.source,
    )


DRIFT_RULE = "Drift: executable not in container image"


def drift_alert(event: SyscallEvent, path: str, blocked: bool) -> RuntimeAlert:
    c = container_ref(event)
    action = "denied (--block-drift)" if blocked else "executed"
    output = (f"Executable not in the container's image {action} | exe={path} process={event.process.name} "
              f"container_id={c.id[:12]} container_name={c.name} image={c.image}")
    return RuntimeAlert(
        id=DRIFT_RULE, severity=Severity.HIGH, title="A file written after the container started was executed",
        output=output, time=rfc3339(event.ts_ns), location=Location(path=path, container=c),
        process=process_info(event), fields=(("proc.exepath", path), ("drift.blocked", str(blocked).lower())),
        tags=("container", "drift", "hullguard"), source="syscall",
    )


_PRIORITY = {Severity.CRITICAL: "Critical", Severity.HIGH: "Error", Severity.MEDIUM: "Warning", Severity.LOW: "Notice"}


def falco_json(alert: RuntimeAlert, hostname: str, priority: str | None = None) -> dict[str, Any]:
    """Falco's JSON output (`json_output: true`): what existing Falco pipelines read."""
    prio = priority or _PRIORITY.get(alert.severity, "Informational")
    time = alert.time
    clock = time[11:] .rstrip("Z")
    return {
        "hostname": hostname,
        "output": f"{clock}: {prio} {alert.output}",
        "output_fields": dict(alert.fields),
        "priority": prio,
        "rule": alert.id,
        "source": alert.source,
        "tags": sorted(alert.tags),
        "time": time,
    }
