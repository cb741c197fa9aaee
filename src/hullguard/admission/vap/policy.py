"""ValidatingAdmissionPolicies as one admission policy: every policy with each of its bindings and
params, turned into denials, warnings and audit annotations worded as the API server words them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hullguard.admission.decision import Action, Outcome, Violation
from hullguard.admission.policy import Namespaces
from hullguard.admission.rbac import RbacInput, load_rbac
from hullguard.admission.review import Request
from hullguard.admission.vap import authz
from hullguard.admission.vap.evaluate import PolicyDecision, evaluate_definition
from hullguard.admission.vap.load import REASONS, PolicySet, load_policy_set
from hullguard.admission.vap.match import labels_of, matches, selector_matches
from hullguard.admission.vap.model import Binding, Definition
from hullguard.cluster.rbac.authorize import principal_of

FAILURE_ANNOTATION = "validation.policy.admission.k8s.io/validation_failure"


class ParamsError(Exception):
    """A binding whose params cannot be found or chosen: a configuration error."""


@dataclass
class _Found:
    violations: list[Violation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    annotations: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class VapPolicy:
    policies: PolicySet
    name: str = "vap"
    authorizer: authz.RbacAuthorizer = authz.NONE
    """What `authorizer` checks ask: RBAC objects, or none (every check then fails, saying so)."""

    def review(self, request: Request, namespaces: Namespaces) -> Outcome:
        found = _Found()
        token = authz.CURRENT.set(self.authorizer)
        try:
            for definition in self.policies.definitions:
                if not matches(definition.match, request, namespaces, everything=False):
                    continue
                for binding in self.policies.bindings:
                    if binding.policy == definition.name and matches(binding.match, request, namespaces, True):
                        self._apply(definition, binding, request, namespaces, found)
        finally:
            authz.CURRENT.reset(token)
        return Outcome(
            violations=tuple(found.violations),
            warnings=tuple(found.warnings),
            audit_annotations=tuple((k, ", ".join(v)) for k, v in found.annotations.items()),
        )

    def _apply(
        self,
        definition: Definition,
        binding: Binding,
        request: Request,
        namespaces: Namespaces,
        found: _Found,
    ) -> None:
        try:
            params = self._params(definition, binding, request)
        except ParamsError as e:
            if definition.fail:
                failure = PolicyDecision(message=f"failed to configure binding: {e}", index=-1)
                found.violations.append(_violation(definition, binding, failure, (Action.DENY,)))
            return
        for param in params:
            evaluation = evaluate_definition(definition, _bindings(request, param, namespaces))
            for decision in evaluation.decisions:
                actions = binding.actions if decision.index >= 0 else (Action.DENY,)
                found.violations.append(_violation(definition, binding, decision, actions))
                if Action.WARN in actions:
                    found.warnings.append(
                        f"Validation failed for ValidatingAdmissionPolicy '{definition.name}' "
                        f"with binding '{binding.name}': {decision.message}"
                    )
                if Action.AUDIT in actions:
                    found.annotations.setdefault(FAILURE_ANNOTATION, []).append(
                        _failure(definition, binding, decision)
                    )
            for key, value in evaluation.annotations:
                values = found.annotations.setdefault(f"{definition.name}/{key}", [])
                if value not in values:
                    values.append(value)

    def _params(self, definition: Definition, binding: Binding, request: Request) -> list[Any]:
        """The params objects to evaluate with: [None] without paramKind or paramRef."""
        if definition.param_kind is None or binding.param_ref is None:
            return [None]
        ref = binding.param_ref
        api_version, kind = definition.param_kind
        candidates = [
            p for p in self.policies.params if p.get("apiVersion") == api_version and p.get("kind") == kind
        ]
        namespaced = any((p.get("metadata") or {}).get("namespace") for p in candidates) or kind in (
            "ConfigMap",
            "Secret",
        )
        if namespaced:
            namespace = ref.namespace or request.namespace
            if not namespace:
                raise ParamsError(
                    "cannot use namespaced paramRef in policy binding that matches cluster-scoped resources"
                )
            candidates = [
                p for p in candidates if (p.get("metadata") or {}).get("namespace", "default") == namespace
            ]
        elif ref.namespace:
            raise ParamsError("paramRef.namespace must not be provided for a cluster-scoped `paramKind`")
        if ref.name:
            found = [p for p in candidates if (p.get("metadata") or {}).get("name") == ref.name]
        elif ref.selector is not None:
            found = [p for p in candidates if selector_matches(ref.selector, labels_of(p))]
        else:
            raise ParamsError("one of name or selector must be provided")
        if not found and ref.deny_when_missing:
            raise ParamsError("no params found for policy binding with `Deny` parameterNotFoundAction")
        return found


def _bindings(request: Request, param: Any, namespaces: Namespaces) -> dict[str, Any]:
    namespace = None
    if request.namespace and not (request.kind.kind == "Namespace" and not request.kind.group):
        namespace = namespaces.get(request.namespace) or {
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": request.namespace, "labels": {"kubernetes.io/metadata.name": request.namespace}},
        }  # fmt: skip
    raw = {k: v for k, v in request.raw.items() if k not in ("object", "oldObject")}
    return {
        "object": request.object,
        "oldObject": request.old_object,
        "params": param,
        "request": raw,
        "namespaceObject": namespace,
        "authorizer": authz.authorizer_value(principal_of(request.user), raw),
    }


def _failure(definition: Definition, binding: Binding, decision: PolicyDecision) -> str:
    """The value of the audit annotation the API server adds for an Audit validationAction."""
    value = {"message": decision.message, "policy": definition.name, "binding": binding.name,
             "expressionIndex": decision.index, "validationActions": [a.value for a in binding.actions]}  # fmt: skip
    return json.dumps([value], separators=(",", ":"))


def _violation(
    definition: Definition, binding: Binding, decision: PolicyDecision, actions: tuple[Action, ...]
) -> Violation:
    text = f"ValidatingAdmissionPolicy '{definition.name}' with binding '{binding.name}' denied request: {decision.message}"
    return Violation(
        policy=f"vap:{definition.name}",
        check=f"{binding.name}[{decision.index}]" if decision.index >= 0 else binding.name,
        message=decision.message,
        actions=actions,
        code=REASONS.get(decision.reason, 422),
        text=text,
    )


def load_vap_policies(paths: tuple[Path, ...], rbac: RbacInput) -> tuple[VapPolicy, tuple[str, ...]]:
    """The policies, with the RBAC data their `authorizer` reads, and what to warn of at start."""
    policies = load_policy_set(paths)
    loaded = load_rbac(rbac, needed=policies.uses_authorizer)
    return VapPolicy(policies=policies, authorizer=loaded.authorizer), loaded.warnings
