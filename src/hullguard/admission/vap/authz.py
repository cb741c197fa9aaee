"""The Kubernetes authorizer CEL library (`authorizer.group('').resource('pods').check('get')`)
over RBAC objects, for cel-expr-python.

The library's values (Authorizer, GroupCheck, ResourceCheck, PathCheck, Decision) are maps with
one marker key naming their type, like the other library values (library.py): the engine takes
member functions on maps, not on types of our own. They carry the principal and the check being
built; `check` asks the RBAC data of the evaluation in progress (`CURRENT`, set around each
policy review), so the same compiled expressions serve every request.
"""

from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass
from typing import Any

from cel_expr_python import cel

from hullguard.cluster.rbac.authorize import Attributes, AuthzDecision, Principal, authorize, service_account
from hullguard.cluster.rbac.model import Rbac

AUTHORIZER, GROUP, RESOURCE, PATH, DECISION = (
    "@authorizer", "@groupcheck", "@resourcecheck", "@pathcheck", "@decision",
)  # fmt: skip
TYPE_NAMES = {AUTHORIZER: "kubernetes.authorization.Authorizer", GROUP: "kubernetes.authorization.GroupCheck",
              RESOURCE: "kubernetes.authorization.ResourceCheck", PATH: "kubernetes.authorization.PathCheck",
              DECISION: "kubernetes.authorization.Decision"}  # fmt: skip
NO_DATA = (
    "hullguard has no RBAC data to authorize with (give --rbac FILE or --kubeconfig): "
    "authorizer checks are not allowed"
)
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


@dataclass(frozen=True, slots=True, kw_only=True)
class RbacAuthorizer:
    """The RBAC data `authorizer` checks against; None data: every check says so and fails."""

    rbac: Rbac | None

    def decide(self, who: Principal, asked: Attributes) -> AuthzDecision:
        if self.rbac is None:
            return AuthzDecision(allowed=False, reason=NO_DATA, error=NO_DATA)
        return authorize(self.rbac, who, asked)


NONE = RbacAuthorizer(rbac=None)
CURRENT: contextvars.ContextVar[RbacAuthorizer | None] = contextvars.ContextVar(
    "cel_authorizer", default=None
)


def _principal(who: Principal) -> dict[str, Any]:
    return {"user": who.name, "groups": list(who.groups)}


def authorizer_value(who: Principal, request: dict[str, Any]) -> dict[str, Any]:
    """The `authorizer` binding for a request; `authorizer.requestResource` is the request's own
    group, resource, subresource, namespace and name (as the API server requested them)."""
    resource = request.get("requestResource") or request.get("resource") or {}
    sub = request.get("requestSubResource", request.get("subResource")) or ""
    check = {RESOURCE: True, **_principal(who), "group": str(resource.get("group") or ""),
             "resource": str(resource.get("resource") or ""), "subresource": str(sub),
             "namespace": str(request.get("namespace") or ""), "name": str(request.get("name") or "")}  # fmt: skip
    return {AUTHORIZER: True, **_principal(who), "requestResource": check}


def _is(value: Any, marker: str) -> dict[str, Any]:
    if not isinstance(value, dict) or marker not in value:
        raise ValueError(f"no such overload: expected a {TYPE_NAMES[marker]}")
    return value


def _who(value: dict[str, Any]) -> Principal:
    return Principal(name=str(value["user"]), groups=tuple(str(g) for g in value["groups"]))


def _path(authz: Any, path: str) -> dict[str, Any]:
    found = _is(authz, AUTHORIZER)
    if not path.strip():
        raise ValueError("path must not be empty")
    return {PATH: True, "user": found["user"], "groups": found["groups"], "path": path}


def _group(authz: Any, group: str) -> dict[str, Any]:
    found = _is(authz, AUTHORIZER)
    return {GROUP: True, "user": found["user"], "groups": found["groups"], "group": group}


def _service_account(authz: Any, namespace: str, name: str) -> dict[str, Any]:
    _is(authz, AUTHORIZER)
    if len(name) > 253 or not DNS_SUBDOMAIN.fullmatch(name):
        raise ValueError("Invalid service account name")
    if len(namespace) > 63 or not DNS_LABEL.fullmatch(namespace):
        raise ValueError("Invalid service account namespace")
    return {AUTHORIZER: True, **_principal(service_account(namespace, name))}


def _resource(group: Any, resource: str) -> dict[str, Any]:
    found = _is(group, GROUP)
    if not resource.strip():
        raise ValueError("resource must not be empty")
    return {RESOURCE: True, "user": found["user"], "groups": found["groups"], "group": found["group"],
            "resource": resource, "subresource": "", "namespace": "", "name": ""}  # fmt: skip


def _setter(key: str | None) -> Any:
    """`subresource`, `namespace`, `name`; the selectors (`fieldSelector`, `labelSelector`) are kept
    out of the check: RBAC does not read them."""

    def build(check: Any, value: str) -> dict[str, Any]:
        found = _is(check, RESOURCE)
        return found if key is None else {**found, key: value}

    return build


def _check(target: Any, verb: str) -> dict[str, Any]:
    if isinstance(target, dict) and PATH in target:
        asked = Attributes(verb=verb, path=str(target["path"]))
    else:
        found = _is(target, RESOURCE)
        asked = Attributes(verb=verb, group=found["group"], resource=found["resource"],
                           subresource=found["subresource"], namespace=found["namespace"], name=found["name"])  # fmt: skip
    decision = (CURRENT.get() or NONE).decide(_who(target), asked)
    return {DECISION: True, "allowed": decision.allowed, "reason": decision.reason, "error": decision.error}


def _decision(key: str) -> Any:
    return lambda d: _is(d, DECISION)[key]


def declarations() -> list[cel.FunctionDecl]:
    S, B, M = cel.Type.STRING, cel.Type.BOOL, cel.Type.Map(cel.Type.STRING, cel.Type.DYN)

    def member(name: str, ret: Any, fn: Any, *params: Any) -> cel.FunctionDecl:
        overload = cel.Overload(f"k8s_authz_{name}", ret, [M, *params], is_member=True, impl=fn)
        return cel.FunctionDecl(name, [overload])

    return [
        member("path", M, _path, S),
        member("group", M, _group, S),
        member("serviceAccount", M, _service_account, S, S),
        member("resource", M, _resource, S),
        *(member(name, M, _setter(name), S) for name in ("subresource", "namespace", "name")),
        *(member(name, M, _setter(None), S) for name in ("fieldSelector", "labelSelector")),
        member("check", M, _check, S),
        member("allowed", B, _decision("allowed")),
        member("reason", S, _decision("reason")),
        member("error", S, _decision("error")),
        member("errored", B, lambda d: bool(_is(d, DECISION)["error"])),
    ]
