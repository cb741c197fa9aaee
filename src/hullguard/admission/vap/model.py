"""ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding read from YAML, every expression
compiled at load: a policy that does not compile is refused with its file, line and CEL position."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hullguard.admission.decision import Action
from hullguard.admission.vap.cel import CelCompileError, Program, compile_expression
from hullguard.errors import Error
from hullguard.rules.base import NodePath
from hullguard.rules.kubernetes.yamldoc import YamlDoc

GROUP = "admissionregistration.k8s.io/"
POLICY, BINDING = "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"


class PolicyFileError(Error):
    """A policy or binding that cannot be used: where, and why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    operations: tuple[str, ...]
    groups: tuple[str, ...]
    versions: tuple[str, ...]
    resources: tuple[str, ...]
    scope: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    rules: tuple[Rule, ...]
    exclude: tuple[Rule, ...]
    namespace_selector: dict[str, Any] | None
    object_selector: dict[str, Any] | None
    equivalent: bool = True
    """matchPolicy Equivalent (the API server's default) rather than Exact."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Validation:
    program: Program
    message: str
    message_program: Program | None
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Definition:
    name: str
    param_kind: tuple[str, str] | None
    """(apiVersion, kind) of the params objects."""
    match: Match | None
    conditions: tuple[tuple[str, Program], ...]
    variables: tuple[tuple[str, Program], ...]
    validations: tuple[Validation, ...]
    annotations: tuple[tuple[str, Program], ...]
    fail: bool
    """failurePolicy Fail (the default) rather than Ignore."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ParamRef:
    name: str
    namespace: str
    selector: dict[str, Any] | None
    deny_when_missing: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Binding:
    name: str
    policy: str
    param_ref: ParamRef | None
    match: Match | None
    actions: tuple[Action, ...]


class Reader:
    """Reads one document, naming its file and line in every error."""

    def __init__(self, doc: YamlDoc, path: str) -> None:
        self.doc, self.path = doc, path
        data = doc.data
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        self.name = str(meta.get("name") or "")
        self.kind = str(data.get("kind"))

    def where(self, node: NodePath) -> str:
        line = self.doc.lines(node)[0]
        dotted = ".".join(f"[{k}]" if isinstance(k, int) else str(k) for k in node).replace(".[", "[")
        return f"{self.path}:{line}: {self.kind} {self.name!r}: {dotted}"

    def get(self, node: NodePath) -> Any:
        value: Any = self.doc.data
        for key in node:
            if isinstance(key, int):
                value = value[key] if isinstance(value, list) and key < len(value) else None
            else:
                value = value.get(key) if isinstance(value, dict) else None
        return value

    def items(self, node: NodePath) -> list[tuple[NodePath, dict[str, Any]]]:
        value = self.get(node)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise PolicyFileError(f"{self.where(node)}: expected a list of mappings")
        return [((*node, n), v) for n, v in enumerate(value)]

    def expression(self, node: NodePath, returns: str | None) -> Program:
        text = self.get(node)
        if not isinstance(text, str) or not text.strip():
            raise PolicyFileError(f"{self.where(node)}: a CEL expression (string) is required")
        try:
            return compile_expression(text, self.where(node), returns)
        except CelCompileError as e:
            raise PolicyFileError(str(e)) from None

    def strings(self, value: Any) -> tuple[str, ...]:
        return tuple(str(v) for v in value) if isinstance(value, list) else ()
