"""What policies say about one request, and the AdmissionReview answer that follows from it."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hullguard.admission.review import API_VERSION

AUDIT_PREFIX = "hullguard.io/"
REASONS = {
    401: "Unauthorized",
    403: "Forbidden",
    413: "RequestEntityTooLarge",
    422: "Invalid",
    500: "InternalError",
}


class Action(StrEnum):
    """What a violation does: Kubernetes' validationActions, and hullguard's --mode."""

    DENY = "Deny"
    WARN = "Warn"
    AUDIT = "Audit"


class Mode(StrEnum):
    ENFORCE = "enforce"
    WARN = "warn"
    AUDIT = "audit"

    @property
    def actions(self) -> tuple[Action, ...]:
        if self is Mode.ENFORCE:
            return (Action.DENY,)
        return (Action.WARN,) if self is Mode.WARN else (Action.WARN, Action.AUDIT)


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    policy: str
    """Which policy: `pss`, `rules`, `image`, or `vap:<policy>/<binding>`."""
    check: str
    """What inside it: a PSS control, a rule id, a validation's index."""
    message: str
    actions: tuple[Action, ...]
    code: int = 403
    text: str | None = None
    """The policy's own wording of a denial (ValidatingAdmissionPolicy's), used as is; such a
    policy also words its own warnings and audit annotations."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """One policy's word on one request."""

    violations: tuple[Violation, ...] = ()
    warnings: tuple[str, ...] = ()
    audit_annotations: tuple[tuple[str, str], ...] = ()
    patch: tuple[dict[str, Any], ...] = ()
    """JSONPatch operations (mutating endpoint only)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    allowed: bool
    code: int
    message: str
    warnings: tuple[str, ...]
    audit_annotations: tuple[tuple[str, str], ...]
    violations: tuple[Violation, ...]
    patch: tuple[dict[str, Any], ...] = ()

    @property
    def verdict(self) -> str:
        if not self.allowed:
            return "deny"
        return "warn" if self.warnings else "allow"


def decide(subject: str, outcomes: Iterable[Outcome]) -> Decision:
    """Every outcome joined: denied when any violation denies, naming each denying check."""
    violations: list[Violation] = []
    warnings: list[str] = []
    annotations: dict[str, str] = {}
    patch: list[dict[str, Any]] = []
    for outcome in outcomes:
        violations += outcome.violations
        warnings += outcome.warnings
        annotations.update(outcome.audit_annotations)
        patch += outcome.patch
    denying = [v for v in violations if Action.DENY in v.actions]
    for v in violations:
        if Action.WARN in v.actions and Action.DENY not in v.actions and v.text is None:
            warnings.append(f"[{v.policy}] {v.check}: {v.message}")
    audited = [v for v in violations if Action.AUDIT in v.actions and v.text is None]
    for policy in dict.fromkeys(v.policy for v in audited):
        text = "; ".join(f"{v.check}: {v.message}" for v in audited if v.policy == policy)
        annotations.setdefault(f"{AUDIT_PREFIX}{policy.replace(':', '.').replace('/', '.')}", text)
    message = ""
    if denying:
        named = "; ".join(v.text or f"[{v.policy}] {v.check}: {v.message}" for v in denying)
        message = f"hullguard denied {subject}: {named}"
    return Decision(
        allowed=not denying,
        code=max((v.code for v in denying), default=200),
        message=message,
        warnings=tuple(dict.fromkeys(warnings)),
        audit_annotations=tuple(sorted(annotations.items())),
        violations=tuple(violations),
        patch=tuple(patch) if not denying else (),
    )


def wire_key(key: str) -> str:
    """An audit annotation key as a webhook must return it: the API server prefixes it with the
    webhook's name, so it must be the name part of a qualified name (no `/`, at most 63 chars)."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", key.replace("/", "."))[:63]
    return name.strip("-_.") or "hullguard"


def answer(uid: str, decision: Decision, mutating: bool = False) -> dict[str, Any]:
    """The AdmissionReview the API server reads back."""
    response: dict[str, Any] = {"uid": uid, "allowed": decision.allowed}
    if not decision.allowed:
        reason = REASONS.get(decision.code, "Forbidden")
        response["status"] = {"code": decision.code, "message": decision.message, "reason": reason}
    if decision.warnings:
        response["warnings"] = list(decision.warnings)
    if decision.audit_annotations:
        response["auditAnnotations"] = {wire_key(k): v for k, v in decision.audit_annotations}
    if mutating and decision.patch:
        response["patchType"] = "JSONPatch"
        response["patch"] = base64.b64encode(json.dumps(list(decision.patch)).encode()).decode()
    return {"apiVersion": API_VERSION, "kind": "AdmissionReview", "response": response}


def refusal(uid: str, code: int, message: str) -> dict[str, Any]:
    """The answer to a review we could not judge: refused, saying why."""
    return {
        "apiVersion": API_VERSION,
        "kind": "AdmissionReview",
        "response": {"uid": uid, "allowed": False, "status": {"code": code, "message": message}},
    }
