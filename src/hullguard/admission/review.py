"""AdmissionReview `admission.k8s.io/v1`: the request parsed at the boundary, and the answer built."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hullguard.errors import Error

API_VERSION = "admission.k8s.io/v1"
MAX_BODY = 3 << 20
"""The API server's own request limit is 3 MiB; a review cannot be larger than what it sends."""
REVIEW_KEYS = frozenset({"apiVersion", "kind", "request", "response"})
REQUEST_KEYS = frozenset(
    {"uid", "kind", "resource", "subResource", "requestKind", "requestResource", "requestSubResource",
     "name", "namespace", "operation", "userInfo", "object", "oldObject", "dryRun", "options"}
)  # fmt: skip
OPERATIONS = frozenset({"CREATE", "UPDATE", "DELETE", "CONNECT"})


class ReviewError(Error):
    """A body that is not a usable AdmissionReview; `uid` is set when the request named one."""

    def __init__(self, message: str, uid: str | None = None) -> None:
        super().__init__(message)
        self.uid = uid


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupVersionKind:
    group: str
    version: str
    kind: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupVersionResource:
    group: str
    version: str
    resource: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """One `AdmissionReview.request`, typed; `raw` keeps it whole for CEL's `request` binding."""

    uid: str
    kind: GroupVersionKind
    resource: GroupVersionResource
    sub_resource: str
    name: str
    namespace: str
    operation: str
    user: dict[str, Any]
    object: dict[str, Any] | None
    old_object: dict[str, Any] | None
    dry_run: bool
    raw: dict[str, Any] = field(repr=False)

    @property
    def subject(self) -> dict[str, Any] | None:
        """The object a policy judges: the new one, or the old one of a DELETE."""
        return self.object if self.object is not None else self.old_object

    @property
    def display(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind.kind} {where}{self.name or _generated(self.object)}"


def _generated(obj: dict[str, Any] | None) -> str:
    meta = (obj or {}).get("metadata")
    return str(meta.get("name") or meta.get("generateName") or "") if isinstance(meta, dict) else ""


def _user(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _mapping(value: Any, what: str, uid: str | None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ReviewError(f"{what} must be an object, got {type(value).__name__}", uid)
    return value


def _text(data: dict[str, Any], key: str, what: str, uid: str | None, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ReviewError(f"{what}.{key} must be a string", uid)
    return value


def parse_review(body: bytes) -> Request:
    """The request of an AdmissionReview body, or ReviewError saying what is wrong with it."""
    if len(body) > MAX_BODY:
        raise ReviewError(f"request body of {len(body)} bytes exceeds the {MAX_BODY}-byte limit")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as e:
        raise ReviewError(f"body is not JSON: {e}") from None
    review = _mapping(data, "AdmissionReview", None)
    req = review.get("request")
    uid = req.get("uid") if isinstance(req, dict) and isinstance(req.get("uid"), str) else None
    if review.get("apiVersion") != API_VERSION or review.get("kind") != "AdmissionReview":
        raise ReviewError(
            f"expected apiVersion {API_VERSION} kind AdmissionReview, got apiVersion "
            f"{review.get('apiVersion')!r} kind {review.get('kind')!r}",
            uid,
        )
    unknown = sorted(set(review) - REVIEW_KEYS)
    if unknown:
        raise ReviewError(f"unknown field(s) in AdmissionReview: {', '.join(unknown)}", uid)
    req = _mapping(req, "AdmissionReview.request", None)
    if not uid:
        raise ReviewError("AdmissionReview.request.uid is missing or empty")
    unknown = sorted(set(req) - REQUEST_KEYS)
    if unknown:
        raise ReviewError(f"unknown field(s) in AdmissionReview.request: {', '.join(unknown)}", uid)
    return _request(req, uid)


def _request(req: dict[str, Any], uid: str) -> Request:
    kind = _mapping(req.get("kind"), "request.kind", uid)
    resource = _mapping(req.get("resource"), "request.resource", uid)
    operation = _text(req, "operation", "request", uid)
    if operation not in OPERATIONS:
        raise ReviewError(
            f"request.operation {operation!r} is not one of {', '.join(sorted(OPERATIONS))}", uid
        )
    objects = []
    for key in ("object", "oldObject"):
        value = req.get(key)
        objects.append(None if value is None else _mapping(value, f"request.{key}", uid))
    if objects[0] is None and operation in ("CREATE", "UPDATE"):
        raise ReviewError(f"request.object is missing for a {operation}", uid)
    return Request(
        uid=uid,
        kind=GroupVersionKind(
            group=_text(kind, "group", "request.kind", uid, required=False),
            version=_text(kind, "version", "request.kind", uid),
            kind=_text(kind, "kind", "request.kind", uid),
        ),
        resource=GroupVersionResource(
            group=_text(resource, "group", "request.resource", uid, required=False),
            version=_text(resource, "version", "request.resource", uid),
            resource=_text(resource, "resource", "request.resource", uid),
        ),
        sub_resource=_text(req, "subResource", "request", uid, required=False),
        name=_text(req, "name", "request", uid, required=False),
        namespace=_text(req, "namespace", "request", uid, required=False),
        operation=operation,
        user=_user(req.get("userInfo")),
        object=objects[0],
        old_object=objects[1],
        dry_run=req.get("dryRun") is True,
        raw=req,
    )


IRREGULAR_PLURALS = {"Endpoints": "endpoints", "NetworkPolicy": "networkpolicies", "Ingress": "ingresses",
                     "IngressClass": "ingressclasses", "PodSecurityPolicy": "podsecuritypolicies"}  # fmt: skip


def plural(kind: str) -> str:
    """The resource name of a kind, as the API server's RESTMapper guesses it."""
    if kind in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[kind]
    lower = kind.lower()
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return lower[:-1] + "ies"
    return lower + ("es" if lower.endswith(("s", "x", "ch", "sh")) else "s")


def make_review(
    obj: dict[str, Any] | None,
    *,
    uid: str = "00000000-0000-0000-0000-000000000000",
    operation: str = "CREATE",
    namespace: str | None = None,
    old_object: dict[str, Any] | None = None,
    username: str = "admin",
    groups: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The AdmissionReview an API server would send for this object (for tests and offline use)."""
    subject = obj if obj is not None else old_object or {}
    group, _, version = str(subject.get("apiVersion", "v1")).rpartition("/")
    kind = str(subject.get("kind", ""))
    meta = subject.get("metadata") if isinstance(subject.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    ns = namespace if namespace is not None else str(meta.get("namespace") or "")
    return {
        "apiVersion": API_VERSION,
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": plural(kind)},
            "requestKind": {"group": group, "version": version, "kind": kind},
            "requestResource": {"group": group, "version": version, "resource": plural(kind)},
            "name": str(meta.get("name") or ""),
            "namespace": ns,
            "operation": operation,
            "userInfo": {"username": username, "groups": list(dict.fromkeys([*groups, "system:authenticated"]))},
            "object": obj,
            "oldObject": old_object,
            "dryRun": False,
            "options": None,
        },
    }
