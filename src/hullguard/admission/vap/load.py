"""Policies, bindings and params from YAML files: the documents a user would `kubectl apply`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullguard.admission.decision import Action
from hullguard.admission.files import read_text
from hullguard.admission.vap.model import (
    BINDING,
    GROUP,
    POLICY,
    Binding,
    Definition,
    Match,
    ParamRef,
    PolicyFileError,
    Reader,
    Rule,
    Validation,
)  # fmt: skip
from hullguard.rules.base import NodePath
from hullguard.rules.kubernetes.yamldoc import YamlError, load_documents

MAX_FILE = 4 << 20
AUTHORIZER = re.compile(r"\bauthorizer\b")
REASONS = {"Unauthorized": 401, "Forbidden": 403, "Invalid": 422, "RequestEntityTooLarge": 413}


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicySet:
    definitions: tuple[Definition, ...]
    bindings: tuple[Binding, ...]
    params: tuple[dict[str, Any], ...]
    """Every other object of the files: candidates for a policy's paramKind."""

    @property
    def uses_authorizer(self) -> bool:
        """Some expression reads `authorizer` (so RBAC data is wanted)."""
        programs = [p for d in self.definitions for _, p in (*d.conditions, *d.variables, *d.annotations)]
        programs += [p for d in self.definitions for v in d.validations for p in (v.program, v.message_program) if p]
        return any(AUTHORIZER.search(p.text) for p in programs)


def _rules(r: Reader, node: NodePath) -> tuple[Rule, ...]:
    return tuple(
        Rule(
            operations=r.strings(rule.get("operations")),
            groups=r.strings(rule.get("apiGroups")),
            versions=r.strings(rule.get("apiVersions")),
            resources=r.strings(rule.get("resources")),
            scope=str(rule.get("scope") or "*"),
            names=r.strings(rule.get("resourceNames")),
        )
        for _, rule in r.items(node)
    )


def _match(r: Reader, node: NodePath) -> Match | None:
    if r.get(node) is None:
        return None
    policy = r.get((*node, "matchPolicy")) or "Equivalent"
    if policy not in ("Equivalent", "Exact"):
        raise PolicyFileError(
            f"{r.where((*node, 'matchPolicy'))}: expected Equivalent or Exact, got {policy!r}"
        )
    return Match(
        rules=_rules(r, (*node, "resourceRules")),
        exclude=_rules(r, (*node, "excludeResourceRules")),
        namespace_selector=r.get((*node, "namespaceSelector")),
        object_selector=r.get((*node, "objectSelector")),
        equivalent=policy == "Equivalent",
    )


def _definition(r: Reader) -> Definition:
    spec = ("spec",)
    kind = r.get((*spec, "paramKind"))
    failure = r.get((*spec, "failurePolicy")) or "Fail"
    if failure not in ("Fail", "Ignore"):
        raise PolicyFileError(
            f"{r.where((*spec, 'failurePolicy'))}: expected Fail or Ignore, got {failure!r}"
        )
    validations = []
    for node, v in r.items((*spec, "validations")):
        reason = str(v.get("reason") or "Invalid")
        if reason not in REASONS:
            raise PolicyFileError(f"{r.where((*node, 'reason'))}: expected one of {', '.join(REASONS)}")
        validations.append(
            Validation(
                program=r.expression((*node, "expression"), "bool"),
                message=str(v.get("message") or ""),
                message_program=r.expression((*node, "messageExpression"), "string")
                if v.get("messageExpression") is not None
                else None,
                reason=reason,
            )
        )
    annotations = tuple(
        (str(a.get("key")), r.expression((*node, "valueExpression"), "string"))
        for node, a in r.items((*spec, "auditAnnotations"))
    )
    if not validations and not annotations:
        raise PolicyFileError(f"{r.where(spec)}: needs at least one validation or auditAnnotation")
    return Definition(
        name=r.name,
        param_kind=(str(kind.get("apiVersion", "")), str(kind.get("kind", "")))
        if isinstance(kind, dict)
        else None,
        match=_match(r, (*spec, "matchConstraints")),
        conditions=tuple(
            (str(c.get("name")), r.expression((*node, "expression"), "bool"))
            for node, c in r.items((*spec, "matchConditions"))
        ),
        variables=tuple(
            (str(v.get("name")), r.expression((*node, "expression"), None))
            for node, v in r.items((*spec, "variables"))
        ),
        validations=tuple(validations),
        annotations=annotations,
        fail=failure == "Fail",
    )


def _binding(r: Reader) -> Binding:
    spec = ("spec",)
    actions = r.strings(r.get((*spec, "validationActions")))
    try:
        chosen = tuple(Action(a) for a in actions)
    except ValueError:
        chosen = ()
    if not chosen or len(set(chosen)) != len(chosen) or {Action.DENY, Action.WARN} <= set(chosen):
        raise PolicyFileError(
            f"{r.where((*spec, 'validationActions'))}: expected a non-empty set of Deny, Warn, Audit "
            f"(Deny and Warn not together), got {list(actions)}"
        )
    ref = r.get((*spec, "paramRef"))
    param_ref = None
    if isinstance(ref, dict):
        param_ref = ParamRef(
            name=str(ref.get("name") or ""),
            namespace=str(ref.get("namespace") or ""),
            selector=ref.get("selector") if isinstance(ref.get("selector"), dict) else None,
            deny_when_missing=ref.get("parameterNotFoundAction") == "Deny",
        )
    return Binding(
        name=r.name,
        policy=str(r.get((*spec, "policyName")) or ""),
        param_ref=param_ref,
        match=_match(r, (*spec, "matchResources")),
        actions=chosen,
    )


def load_policy_set(paths: tuple[Path, ...]) -> PolicySet:
    definitions: list[Definition] = []
    bindings: list[Binding] = []
    params: list[dict[str, Any]] = []
    for path in paths:
        text = read_text(path, MAX_FILE, PolicyFileError)
        try:
            docs = load_documents(text, str(path))
        except YamlError as e:
            raise PolicyFileError(e.diagnostics()) from e
        for doc in docs:
            if not isinstance(doc.data, dict):
                continue
            r = Reader(doc, str(path))
            api = str(doc.data.get("apiVersion", ""))
            if r.kind == POLICY and api.startswith(GROUP):
                definitions.append(_definition(r))
            elif r.kind == BINDING and api.startswith(GROUP):
                bindings.append(_binding(r))
            elif r.kind.endswith("List") and isinstance(doc.data.get("items"), list):
                params.extend(i for i in doc.data["items"] if isinstance(i, dict))
            else:
                params.append(doc.data)
    names = [d.name for d in definitions]
    duplicate = sorted({n for n in names if names.count(n) > 1})
    if duplicate:
        raise PolicyFileError(f"ValidatingAdmissionPolicy defined twice: {', '.join(duplicate)}")
    return PolicySet(definitions=tuple(definitions), bindings=tuple(bindings), params=tuple(params))
