"""Pod Security Standards as an admission policy: the same controls and versions as `config --pss`,
with a namespace's `pod-security.kubernetes.io/*` labels overriding the defaults as PSA reads them."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from hullguard.admission.decision import Action, Mode, Outcome, Violation
from hullguard.admission.policy import Namespaces
from hullguard.admission.review import Request
from hullguard.rules.kubernetes import pss
from hullguard.rules.kubernetes.objects import make_workload
from hullguard.rules.kubernetes.pss_checks import Denial

_active = functools.lru_cache(maxsize=128)(pss.active)
"""The controls of (level, version), built once: a webhook asks for the same few pairs all day."""


def _evaluate(level: str, minor: int, meta: dict[str, Any], spec: dict[str, Any]) -> list[tuple[str, Denial]]:
    """`pss.evaluate`, with the control table cached."""
    return [(cid, d) for cid, fn in _active(level, minor).items() if (d := fn(meta, spec)) is not None]


def _same_spec(request: Request) -> bool:
    old, new = request.old_object or {}, request.object or {}
    return old.get("spec") == new.get("spec")


LABEL = "pod-security.kubernetes.io/"
PRIVILEGED = "privileged"
LEVELS = (PRIVILEGED, pss.BASELINE, pss.RESTRICTED)
LABEL_ACTIONS = {"enforce": (Action.DENY,), "warn": (Action.WARN,), "audit": (Action.AUDIT,)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Evaluation:
    level: str
    minor: int
    actions: tuple[Action, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PssPolicy:
    level: str
    minor: int = pss.NEWEST_MINOR
    mode: Mode = Mode.ENFORCE
    name: str = "pss"

    def evaluations(self, labels: dict[str, str]) -> tuple[Evaluation, ...]:
        """The default level, or what the namespace's labels ask for (an invalid label reads as
        restricted / latest, as PSA treats it)."""
        if not any(k.startswith(LABEL) for k in labels):
            return (Evaluation(level=self.level, minor=self.minor, actions=self.mode.actions),)
        found = []
        for mode, actions in LABEL_ACTIONS.items():
            level = labels.get(LABEL + mode)
            if level is None:
                continue
            try:
                minor = pss.parse_version(labels.get(f"{LABEL}{mode}-version", "latest"))
            except ValueError:
                minor = pss.NEWEST_MINOR
            found.append(
                Evaluation(level=level if level in LEVELS else pss.RESTRICTED, minor=minor, actions=actions)
            )
        return tuple(found)

    def review(self, request: Request, namespaces: Namespaces) -> Outcome:
        if request.operation not in ("CREATE", "UPDATE") or request.object is None:
            return Outcome()
        if request.sub_resource not in ("", "ephemeralcontainers"):
            return Outcome()
        if request.operation == "UPDATE" and request.kind.kind == "Pod" and _same_spec(request):
            return Outcome()  # as PSA: a pod update that leaves the spec alone (labels, status) is not judged
        workload = make_workload(request.object, request.kind.kind, ())
        if workload is None:
            return Outcome()
        violations = []
        for e in self.evaluations(namespaces.labels(request.namespace)):
            if e.level == PRIVILEGED:
                continue
            for control, denial in _evaluate(e.level, e.minor, workload.meta, workload.spec):
                violations.append(
                    Violation(
                        policy="pss",
                        check=f"{e.level}:v1.{e.minor}/{control}",
                        message=denial.message,
                        actions=e.actions,
                    )
                )
        return Outcome(violations=tuple(violations))
