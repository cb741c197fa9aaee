"""Pod Security Standards: every baseline and restricted control, per policy version v1.0 to v1.37.

The facts (fields, allowed values, the version each control changed, which restricted controls
replace which baseline ones) follow Kubernetes' pod-security-admission `policy/` package; the
reasons are its forbidden-reason phrases, because users grep admission errors for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.rules.kubernetes.pss_checks import (
    SELINUX_TYPES,
    SYSCTLS_1_0,
    SYSCTLS_1_27,
    SYSCTLS_1_29,
    SYSCTLS_1_32,
    SYSCTLS_1_37,
    CheckFn,
    Denial,
    Meta,
    Spec,
    allow_privilege_escalation,
    app_armor,
    capabilities_baseline,
    capabilities_restricted,
    host_namespaces,
    host_path_volumes,
    host_ports,
    host_probes_and_lifecycle,
    privileged,
    proc_mount,
    restricted_volumes,
    run_as_non_root,
    run_as_user,
    se_linux,
    seccomp_baseline,
    seccomp_baseline_annotations,
    seccomp_restricted,
    sysctls,
    unless,
    user_namespace,
    windows_host_process,
    windows_pod,
)

NEWEST_MINOR = 37
BASELINE, RESTRICTED = "baseline", "restricted"


@dataclass(frozen=True, slots=True)
class Control:
    id: str
    level: str
    versions: tuple[tuple[int, CheckFn], ...]
    """(first minor version, check) in increasing order."""
    overrides: tuple[str, ...] = ()

    def at(self, minor: int) -> CheckFn | None:
        found = None
        for first, fn in self.versions:
            if first <= minor:
                found = fn
        return found


CONTROLS: tuple[Control, ...] = (
    Control("appArmorProfile", BASELINE, ((0, app_armor),)),
    Control("capabilities_baseline", BASELINE, ((0, capabilities_baseline),)),
    Control("hostNamespaces", BASELINE, ((0, host_namespaces),)),
    Control("hostPathVolumes", BASELINE, ((0, host_path_volumes),)),
    Control("hostPorts", BASELINE, ((0, host_ports),)),
    Control("hostProbesAndHostLifecycle", BASELINE, ((34, host_probes_and_lifecycle),)),
    Control("privileged", BASELINE, ((0, privileged),)),
    Control("procMount", BASELINE, ((0, proc_mount), (35, unless(user_namespace, proc_mount)))),
    Control(
        "seLinuxOptions",
        BASELINE,
        ((0, se_linux(SELINUX_TYPES)), (31, se_linux(SELINUX_TYPES | {"container_engine_t"}))),
    ),
    Control("seccompProfile_baseline", BASELINE, ((0, seccomp_baseline_annotations), (19, seccomp_baseline))),
    Control(
        "sysctls",
        BASELINE,
        (
            (0, sysctls(SYSCTLS_1_0)),
            (27, sysctls(SYSCTLS_1_27)),
            (29, sysctls(SYSCTLS_1_29)),
            (32, sysctls(SYSCTLS_1_32)),
            (37, sysctls(SYSCTLS_1_37)),
        ),
    ),
    Control("windowsHostProcess", BASELINE, ((0, windows_host_process),)),
    Control(
        "allowPrivilegeEscalation",
        RESTRICTED,
        ((8, allow_privilege_escalation), (25, unless(windows_pod, allow_privilege_escalation))),
    ),
    Control(
        "capabilities_restricted",
        RESTRICTED,
        ((22, capabilities_restricted), (25, unless(windows_pod, capabilities_restricted))),
        overrides=("capabilities_baseline",),
    ),
    Control("procMount_restricted", RESTRICTED, ((35, proc_mount),), overrides=("procMount",)),
    Control("restrictedVolumes", RESTRICTED, ((0, restricted_volumes),), overrides=("hostPathVolumes",)),
    Control(
        "runAsNonRoot", RESTRICTED, ((0, run_as_non_root), (35, unless(user_namespace, run_as_non_root)))
    ),
    Control("runAsUser", RESTRICTED, ((23, run_as_user), (35, unless(user_namespace, run_as_user)))),
    Control(
        "seccompProfile_restricted",
        RESTRICTED,
        ((19, seccomp_restricted), (25, unless(windows_pod, seccomp_restricted))),
        overrides=("seccompProfile_baseline",),
    ),
)
BY_ID = {c.id: c for c in CONTROLS}


def parse_version(text: str) -> int:
    """`v1.30` or `1.30` or `latest` to the minor number, clamped to the newest known policy."""
    word = text.strip().lower()
    if word == "latest":
        return NEWEST_MINOR
    major, _, minor = word.removeprefix("v").partition(".")
    if major != "1" or not minor.isdigit():
        raise ValueError(f"expected a policy version like v1.{NEWEST_MINOR} or latest, got {text!r}")
    return min(int(minor), NEWEST_MINOR)


def active(level: str, minor: int) -> dict[str, CheckFn]:
    """The controls a namespace labelled `enforce=<level>, enforce-version=v1.<minor>` evaluates."""
    minor = min(minor, NEWEST_MINOR)
    levels = (BASELINE,) if level == BASELINE else (BASELINE, RESTRICTED)
    chosen = {c.id: fn for c in CONTROLS if c.level in levels and (fn := c.at(minor)) is not None}
    for c in CONTROLS:
        if c.id in chosen and c.level == RESTRICTED:
            for replaced in c.overrides:
                chosen.pop(replaced, None)
    return chosen


def evaluate(level: str, minor: int, meta: Meta, spec: Spec) -> list[tuple[str, Denial]]:
    """Every control that denies this pod at (level, version), with why."""
    return [(cid, d) for cid, fn in active(level, minor).items() if (d := fn(meta, spec)) is not None]
