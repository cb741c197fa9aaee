"""Custom policies: CEL validations in the style of Kubernetes ValidatingAdmissionPolicy.

A policy file holds one or more documents like
`kind: ValidatingAdmissionPolicy, spec: {matchConstraints: {resourceRules: [...]}, variables: [...],
validations: [{expression, message, messageExpression}]}`; `object` is the manifest object.
Annotations `hullguard.io/id` and `hullguard.io/severity` name and grade the findings.
The expressions run in cel-python's evaluator, which interprets CEL (it never calls Python eval).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullguard.errors import Error
from hullguard.model import Issue, Location, Misconfiguration, RuleId, Severity
from hullguard.rules.kubernetes.objects import KubeObject, obj, seq
from hullguard.rules.kubernetes.yamldoc import load_documents

IRREGULAR_PLURALS = {"endpoints": "endpoints", "networkpolicy": "networkpolicies", "ingress": "ingresses"}


class PolicyError(Error):
    """A policy file that cannot be loaded or compiled."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Validation:
    expression: str
    message: str
    message_expression: str | None
    program: Any
    message_program: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    id: str
    name: str
    severity: Severity
    path: str
    resources: tuple[tuple[frozenset[str], frozenset[str]], ...]
    """(apiGroups, resources) pairs; empty matches every object."""
    variables: tuple[tuple[str, Any], ...]
    validations: tuple[Validation, ...]

    def matches(self, o: KubeObject) -> bool:
        if not self.resources:
            return True
        group = o.api_version.rpartition("/")[0] if "/" in o.api_version else ""
        plural = IRREGULAR_PLURALS.get(
            o.kind.lower(), o.kind.lower() + ("es" if o.kind.endswith("s") else "s")
        )
        return any(
            ("*" in groups or group in groups) and ("*" in resources or plural in resources)
            for groups, resources in self.resources
        )


def load_policies(path: Path) -> tuple[Policy, ...]:
    try:
        import celpy
    except ImportError as e:  # an optional dependency
        raise PolicyError("--policy needs the `policy` extra (cel-python): pip install 'hullguard[policy]'") from e
    env = celpy.Environment()
    files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")) if path.is_dir() else [path]
    policies: list[Policy] = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as e:
            raise PolicyError(f"{file}: cannot read policy: {e.strerror}") from e
        for doc in load_documents(text, str(file)):
            data = obj(doc.data)
            if data.get("kind") != "ValidatingAdmissionPolicy":
                continue
            policies.append(_policy(env, data, str(file)))
    if not policies:
        raise PolicyError(f"{path}: no ValidatingAdmissionPolicy documents found")
    return tuple(policies)


def _extensions() -> dict[str, Any]:
    """The parts of CEL's strings extension that Kubernetes enables and cel-python lacks."""
    from celpy import celtypes

    def join(items: Any, sep: Any = "") -> Any:
        return celtypes.StringType(str(sep).join(str(i) for i in items))

    def split(text: Any, sep: Any) -> Any:
        return celtypes.ListType([celtypes.StringType(p) for p in str(text).split(str(sep))])

    return {
        "join": join,
        "split": split,
        "lowerAscii": lambda t: celtypes.StringType(str(t).lower()),
        "upperAscii": lambda t: celtypes.StringType(str(t).upper()),
        "trim": lambda t: celtypes.StringType(str(t).strip()),
        "replace": lambda t, a, b: celtypes.StringType(str(t).replace(str(a), str(b))),
    }


def _compile(env: Any, text: str, where: str) -> Any:
    from celpy.celparser import CELParseError

    try:
        return env.program(env.compile(text), functions=_extensions())
    except CELParseError as e:
        raise PolicyError(f"{where}: CEL expression does not parse: {text!r}: {e}") from e


def _policy(env: Any, data: dict[str, Any], path: str) -> Policy:
    meta = obj(data.get("metadata"))
    name = str(meta.get("name") or "unnamed")
    annotations = obj(meta.get("annotations"))
    spec = obj(data.get("spec"))
    where = f"{path}: policy {name}"
    try:
        severity = Severity.parse(str(annotations.get("hullguard.io/severity", "MEDIUM")))
    except ValueError as e:
        raise PolicyError(f"{where}: {e}") from e
    rules = seq(obj(spec.get("matchConstraints")).get("resourceRules"))
    validations = []
    for n, v in enumerate(seq(spec.get("validations"))):
        v = obj(v)
        expression = v.get("expression")
        if not isinstance(expression, str):
            raise PolicyError(f"{where}: validations[{n}] needs an expression")
        message_expression = v.get("messageExpression")
        validations.append(
            Validation(
                expression=expression,
                message=str(v.get("message") or f"failed expression: {expression}"),
                message_expression=message_expression if isinstance(message_expression, str) else None,
                program=_compile(env, expression, where),
                message_program=_compile(env, message_expression, where)
                if isinstance(message_expression, str)
                else None,
            )
        )
    return Policy(
        id=str(annotations.get("hullguard.io/id") or f"POLICY-{name}"),
        name=name,
        severity=severity,
        path=path,
        resources=tuple(
            (
                frozenset(str(g) for g in seq(obj(r).get("apiGroups"))),
                frozenset(str(x) for x in seq(obj(r).get("resources"))),
            )
            for r in rules
        ),
        variables=tuple(
            (str(obj(v).get("name")), _compile(env, str(obj(v).get("expression")), where))
            for v in seq(spec.get("variables"))
        ),
        validations=tuple(validations),
    )


def run_policies(
    policies: tuple[Policy, ...], objects: list[KubeObject]
) -> Iterator[Misconfiguration | Issue]:
    from celpy import celtypes
    from celpy.adapter import json_to_cel
    from celpy.evaluation import CELEvalError

    for o in objects:
        matching = [p for p in policies if p.matches(o)]
        if not matching:
            continue
        activation: dict[str, Any] = {"object": json_to_cel(o.raw), "oldObject": None}
        for p in matching:
            try:
                variables = {name: prg.evaluate(activation) for name, prg in p.variables}
                names = {celtypes.StringType(k): value for k, value in variables.items()}
                local = {**activation, "variables": celtypes.MapType(names)}
                for v in p.validations:
                    result = v.program.evaluate(local)
                    if result is True or (isinstance(result, celtypes.BoolType) and bool(result)):
                        continue
                    message = str(v.message_program.evaluate(local)) if v.message_program else v.message
                    lines = o.doc.lines(o.base)
                    yield Misconfiguration(
                        id=RuleId(p.id),
                        severity=p.severity,
                        title=f"policy {p.name}",
                        message=f"{o.kind} {o.name}: {message}",
                        location=Location(path=o.path, start_line=lines[0], end_line=lines[1]),
                    )
            except CELEvalError as e:
                yield Issue(
                    stage="policy", path=o.path, message=f"policy {p.name} on {o.kind} {o.name}: {e.args[0]}"
                )
