"""Run one control's checks (data from the catalogue) against what was found on the host.

Check specs, one mapping each:
- `setting`: {component, flag, config, op, value, unset: pass|fail} — a daemon setting.
- `file`: {path | unit | from: {component, flag, config, default}, pattern, recursive,
  owner: "user:group", mode: "644"} — ownership and permission bits (mode is a bitmask:
  "644 or more restrictive").
- `audit`: {path | unit} — an audit watch on a path that exists.
- `custom`: name — a function in host/custom.py.
A control whose component is absent is not applicable: no finding.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hullguard.host.auditrules import AuditRules
from hullguard.host.catalogue import Control
from hullguard.host.components import STATIC_PODS, Discovery, seen_by
from hullguard.host.ops import OPS, WORDS
from hullguard.host.settings import Settings, Unknown
from hullguard.host.systemd import find_unit
from hullguard.host.tree import HostReadError
from hullguard.host.users import Accounts
from hullguard.model import KubeObject, Location, Misconfiguration


@dataclass(frozen=True, slots=True)
class NotChecked:
    """A control that could not be decided, and why (a report issue)."""

    path: str | None
    message: str


Outcome = Misconfiguration | NotChecked


@dataclass(slots=True)
class Context:
    discovery: Discovery
    accounts: Accounts
    audit: AuditRules | None


def finding(
    control: Control, message: str, path: str | None, obj: KubeObject | None = None
) -> Misconfiguration:
    return Misconfiguration(
        id=control.id,
        severity=control.severity,
        title=control.title,
        message=message,
        location=Location(path=path, object=obj),
        remediation=control.remediation,
    )


def _static_pod(settings: Settings, source: str) -> KubeObject | None:
    """A control plane setting read from a static pod manifest is also about that Pod object."""
    if settings.component in STATIC_PODS and source in settings.files:
        return KubeObject(kind="Pod", name=settings.component, namespace="kube-system", api_version="v1")
    return None


def run_control(control: Control, ctx: Context) -> Iterator[Outcome]:
    from hullguard.host.custom import CUSTOM

    for spec in control.checks:
        try:
            if "setting" in spec:
                yield from _setting(control, spec["setting"], ctx)
            elif "file" in spec:
                yield from _file(control, spec["file"], ctx)
            elif "audit" in spec:
                yield from _audit(control, spec["audit"], ctx)
            elif "sysctl" in spec:
                yield from _sysctl(control, spec["sysctl"], ctx)
            elif "container" in spec or "daemon" in spec:
                continue  # the running containers: host/containers/scan.py
            elif "custom" in spec:
                yield from CUSTOM[spec["custom"]](control, ctx)
            else:
                raise AssertionError(f"{control.id}: unknown check {spec}")
        except Unknown as e:
            yield NotChecked(None, f"{control.id} not checked: {e}")
        except HostReadError as e:
            yield NotChecked(None, f"{control.id} not checked: {e}")


def _setting(control: Control, spec: dict[str, Any], ctx: Context) -> Iterator[Outcome]:
    settings = ctx.discovery.settings(spec["component"])
    if settings is None:
        return
    setting = settings.get(spec.get("flag"), spec.get("config"))
    op, expected = spec.get("op", "set"), str(spec.get("value", ""))
    name = " / ".join(n for n in (spec.get("flag"), spec.get("config")) if n)
    if setting is None:
        if spec.get("unset", "fail" if op in ("set", "eq", "has", "gte") else "pass") == "fail":
            yield finding(
                control,
                f"{settings.component}: {name} is not set ({WORDS[op].format(e=expected)})",
                settings.where,
                _static_pod(settings, settings.where),
            )
        return
    if not OPS[op](setting.value, expected):
        shown = setting.value if op != "set" else "set"
        yield finding(
            control,
            f"{settings.component}: {setting.via} is {shown!r} in {setting.source} ({WORDS[op].format(e=expected)})",
            setting.source,
            _static_pod(settings, setting.source),
        )


def _paths(spec: dict[str, Any], ctx: Context) -> list[str]:
    tree = ctx.discovery.tree
    if "unit" in spec:
        unit = find_unit(tree, spec["unit"])
        return list(unit.files) if unit else []
    paths: list[str] = []
    if "from" in spec:
        src = spec["from"]
        settings = ctx.discovery.settings(src["component"])
        if settings is None:
            return []
        setting = settings.get(src.get("flag"), src.get("config"))
        if setting is not None:
            paths = [seen_by(tree, settings.command, p) for p in setting.values]
        elif src.get("default"):
            paths = [src["default"]]
    else:
        paths = [spec["path"]] if isinstance(spec["path"], str) else list(spec["path"])
    out: list[str] = []
    for path in paths:
        if spec.get("recursive") or spec.get("pattern"):
            for p in tree.walk(path):
                if "pattern" not in spec or fnmatch.fnmatch(p.rsplit("/", 1)[-1], spec["pattern"]):
                    out.append(p)
        elif tree.exists(path):
            out.append(path)
    return out


def _file(control: Control, spec: dict[str, Any], ctx: Context) -> Iterator[Outcome]:
    tree = ctx.discovery.tree
    for path in _paths(spec, ctx):
        st = tree.stat(path)
        if st is None or (spec.get("pattern") and st.kind == "dir"):
            continue
        if "owner" in spec:
            user, group = ctx.accounts.user(st.uid), ctx.accounts.group(st.gid)
            want_user, _, want_group = str(spec["owner"]).partition(":")
            if (user, group) != (want_user, want_group):
                yield finding(control, f"{path} is owned by {user}:{group}; expected {spec['owner']}", path)
        if "mode" in spec:
            allowed = int(str(spec["mode"]), 8)
            if st.mode & ~allowed:
                yield finding(
                    control,
                    f"{path} has mode {st.mode:04o}; expected {allowed:04o} or more restrictive",
                    path,
                )


def _audit(control: Control, spec: dict[str, Any], ctx: Context) -> Iterator[Outcome]:
    paths = _paths({**spec, "path": spec["path"]} if "path" in spec else spec, ctx)
    for path in paths:
        if ctx.audit is None:
            yield finding(control, f"no audit rules are loaded or configured; {path} is not watched", path)
        elif not ctx.audit.watches(path):
            yield finding(control, f"{path} is not watched by the audit rules ({ctx.audit.source})", path)


def _sysctl(control: Control, spec: dict[str, Any], ctx: Context) -> Iterator[Outcome]:
    from hullguard.host.kernel import read_sysctl

    current = read_sysctl(ctx.discovery.tree, spec["key"])
    if current is None:
        yield NotChecked(
            None, f"{control.id} not checked: {spec['key']} is neither in /proc/sys nor in sysctl.d"
        )
    elif not OPS[spec["op"]](current.value, str(spec["value"])):
        words = WORDS[spec["op"]].format(e=spec["value"])
        yield finding(
            control, f"{spec['key']} is {current.value} ({current.source}); {words}", current.source
        )
