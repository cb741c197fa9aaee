"""One policy with one binding and one params object, evaluated as the API server's validator does:
match conditions, variables, validations with their messages, audit annotations, failurePolicy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hullguard.admission.vap.cel import Program, Result, bind, evaluate
from hullguard.admission.vap.cost import Budget, OutOfBudget
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


def _run(program: Program, data: Any, failed: dict[str, str], budget: Budget) -> Result:
    """Variables are lazy in the API server: an expression that reads a failed one fails with it."""
    error = _uses(program, failed)
    if error is not None:
        return Result(error=f"expression '{program.text.strip()}' resulted in error: {error}")
    return evaluate(program, data, budget)


def _message(validation_message: str, expression: str, result: Result | None) -> str:
    if result is not None and result.error is None and isinstance(result.value, str):
        text = result.value.strip()
        if text and len(text) <= MAX_MESSAGE and "\n" not in text:
            return text
    if validation_message.strip():
        return validation_message.strip()
    return f"failed expression: {expression.strip()}"


def _messages(
    definition: Definition, bound: Any, failed: dict[str, str], budget: Budget
) -> tuple[list[Result | None], str | None]:
    """Every messageExpression, on what the validations left of the budget (as the API server:
    running out fails every validation of the policy with `failed messageExpression`)."""
    try:
        found = [_run(v.message_program, bound, failed, budget) if v.message_program else None
                 for v in definition.validations]  # fmt: skip
    except OutOfBudget as e:
        return [None] * len(definition.validations), str(e)
    return found, None


def evaluate_definition(definition: Definition, data: dict[str, Any]) -> Evaluation:
    """`data`: the CEL bindings object, oldObject, params, request, namespaceObject. Match
    conditions, validations (with variables and messages) and audit annotations each have the
    API server's runtime cost budget; running out of one is an error under failurePolicy."""
    try:
        return _evaluate(definition, data)
    except OutOfBudget as e:
        decisions = (PolicyDecision(message=str(e), index=-1),) if definition.fail else ()
        return Evaluation(matched=True, decisions=decisions)


def _evaluate(definition: Definition, data: dict[str, Any]) -> Evaluation:
    errors = []
    bound = bind({**data, "variables": {}})
    budget = Budget()
    for _, program in definition.conditions:
        result = evaluate(program, bound, budget)
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
    budget = Budget()
    for name, program in definition.variables:
        result = _run(program, bound, failed, budget)
        if result.error is not None:
            failed[name] = result.error
        else:
            values[name] = result.value
            bound = bind({**data, "variables": values})
    results = [_run(v.program, bound, failed, budget) for v in definition.validations]
    messages, message_error = _messages(definition, bound, failed, budget)
    decisions = []
    for index, (v, result) in enumerate(zip(definition.validations, results, strict=True)):
        if result.error is not None or message_error is not None:
            if definition.fail:
                error = result.error or f"failed messageExpression: {message_error}"
                decisions.append(PolicyDecision(message=error, index=index))
        elif result.value is not True:
            decisions.append(
                PolicyDecision(
                    message=_message(v.message, v.program.text, messages[index]), index=index, reason=v.reason
                )
            )
    annotations = []
    budget = Budget()
    for key, program in definition.annotations:
        result = _run(program, bound, failed, budget)
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
