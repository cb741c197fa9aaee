"""One policy with one binding and one params object, evaluated as the API server's validator does:
match conditions, variables, validations with their messages, audit annotations, failurePolicy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hullguard.admission.vap.cel import Program, Result, bind, evaluate
from hullguard.admission.vap.model import Definition

MAX_MESSAGE = 5 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyDecision:
    """A failed validation or an evaluation error that denies (under failurePolicy Fail)."""

    message: str
    index: int
    reason: str = "Invalid"


@dataclass(frozen=True, slots=True, kw_only=True)
class Evaluation:
    matched: bool
    decisions: tuple[PolicyDecision, ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()


def _uses(program: Program, failed: dict[str, str]) -> str | None:
    for name, error in failed.items():
        if re.search(rf"\bvariables\s*\.\s*{re.escape(name)}\b", program.text):
            return error
    return None


def _run(program: Program, data: Any, failed: dict[str, str]) -> Result:
    """Variables are lazy in the API server: an expression that reads a failed one fails with it."""
    error = _uses(program, failed)
    if error is not None:
        return Result(error=f"expression '{program.text.strip()}' resulted in error: {error}")
    return evaluate(program, data)


def _message(validation_message: str, expression: str, result: Result | None) -> str:
    if result is not None and result.error is None and isinstance(result.value, str):
        text = result.value.strip()
        if text and len(text) <= MAX_MESSAGE and "\n" not in text:
            return text
    if validation_message.strip():
        return validation_message.strip()
    return f"failed expression: {expression.strip()}"


def evaluate_definition(definition: Definition, data: dict[str, Any]) -> Evaluation:
    """`data`: the CEL bindings object, oldObject, params, request, namespaceObject."""
    errors = []
    bound = bind({**data, "variables": {}})
    for _, program in definition.conditions:
        result = evaluate(program, bound)
        if result.error is not None:
            errors.append(result.error)
        elif result.value is False:
            return Evaluation(matched=False)
    if errors:
        if not definition.fail:
            return Evaluation(matched=False)
        text = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
        return Evaluation(matched=True, decisions=(PolicyDecision(message=text, index=-1),))
    values: dict[str, Any] = {}
    failed: dict[str, str] = {}
    for name, program in definition.variables:
        result = _run(program, bound, failed)
        if result.error is not None:
            failed[name] = result.error
        else:
            values[name] = result.value
            bound = bind({**data, "variables": values})
    decisions = []
    for index, v in enumerate(definition.validations):
        result = _run(v.program, bound, failed)
        if result.error is not None:
            if definition.fail:
                decisions.append(PolicyDecision(message=result.error, index=index))
        elif result.value is not True:
            message_result = _run(v.message_program, bound, failed) if v.message_program else None
            decisions.append(
                PolicyDecision(
                    message=_message(v.message, v.program.text, message_result), index=index, reason=v.reason
                )
            )
    annotations = []
    for key, program in definition.annotations:
        result = _run(program, bound, failed)
        if result.error is not None or not (result.value is None or isinstance(result.value, str)):
            if definition.fail:
                error = result.error or (
                    f"valueExpression '{program.text}' resulted in unsupported return type: "
                    f"{type(result.value).__name__}. Return type must be either string or null."
                )
                decisions.append(PolicyDecision(message=error, index=-1))
        elif isinstance(result.value, str) and result.value.strip():
            annotations.append((key, result.value.strip()[: 10 * 1024]))
    return Evaluation(matched=True, decisions=tuple(decisions), annotations=tuple(annotations))
