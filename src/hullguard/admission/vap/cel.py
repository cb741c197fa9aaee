"""CEL for admission policies: one environment with the API server's variables and libraries,
expressions compiled once at load, evaluated per request (cel-expr-python, Google's C++ CEL).

Why this engine: on a 3-container Deployment one `all()` expression takes tens of µs here
against milliseconds in cel-python (bench/admission_cel.py, numbers in docs/notes/admission.md),
which matters inside an API server's request path; it also has the optional syntax
(`object.spec.?replicas.orValue(1)`) Kubernetes enables. The strings extension and the
Kubernetes libraries are ours (library.py), as Python callables the C++ evaluator calls.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from cel_expr_python import cel
from cel_expr_python.ext import ext_encoders, ext_math, ext_optional

from hullguard.admission.vap import authz, convert, cost, library
from hullguard.errors import Error

VARIABLES = ("object", "oldObject", "params", "request", "namespaceObject", "variables", "authorizer")


class CelCompileError(Error):
    """An expression that does not compile: where it is, and CEL's message with its position."""


@functools.cache
def environment() -> Any:
    return cel.NewEnv(
        variables={name: cel.Type.DYN for name in VARIABLES},
        extensions=[ext_optional.ExtOptional(), ext_math.ExtMath(), ext_encoders.ExtEncoders()],
        functions=[*library.declarations(), *authz.declarations(), *convert.declarations(), *_cost_declarations()],
    )  # fmt: skip


def _cost_declarations() -> list[Any]:
    return [
        cel.FunctionDecl(
            "__cost", [cel.Overload("hg_cost", cel.Type.BOOL, [cel.Type.INT], impl=cost.charge)]
        ),
        cel.FunctionDecl("__step", [cel.Overload("hg_step", cel.Type.BOOL, [cel.Type.INT], impl=cost.step)]),
        cel.FunctionDecl("__loop", [cel.Overload("hg_loop", cel.Type.BOOL, [cel.Type.INT], impl=cost.begin)]),
        cel.FunctionDecl("__never", [cel.Overload("hg_never", cel.Type.DYN, [], impl=lambda: None)]),
    ]


@dataclass(frozen=True, slots=True)
class Program:
    text: str
    compiled: Any
    """The expression with its loops charged to the cost tracker (`cost.instrument`)."""
    units: int = 0
    """Its cost outside loops."""
    tracked: bool = True
    """False if the expression could not be instrumented: it runs uncounted."""


@dataclass(frozen=True, slots=True)
class Result:
    value: Any = None
    error: str | None = None


def compile_expression(text: str, where: str, returns: str | None = None) -> Program:
    """`returns`: bool or string, checked where the type is known at compile time."""
    source = convert.rewrite(text)  # string() and type() of library values (convert.py)
    try:
        compiled = environment().compile(source)
    except RuntimeError:
        try:  # the error as the user wrote it, positions included (or the rewrite's own failure)
            source, compiled = text, environment().compile(text)
        except RuntimeError as e:
            detail = str(e).removeprefix("INVALID_ARGUMENT: ").replace("<input>", "expression")
            raise CelCompileError(f"{where}: compilation failed: {detail}") from None
    kind = compiled.return_type().name().lower()
    allowed = {"bool": ("bool", "dyn"), "string": ("string", "null", "dyn")}.get(returns or "")
    if allowed is not None and kind not in allowed and not kind.startswith("optional"):
        raise CelCompileError(f"{where}: must evaluate to {returns}, not {kind}: {text.strip()}")
    try:
        rewritten, units = cost.instrument(source)
        return Program(text=text, compiled=environment().compile(rewritten), units=units)
    except (ValueError, RuntimeError):
        return Program(text=text, compiled=compiled, tracked=False)


def bind(data: dict[str, Any]) -> Any:
    """The variables converted to CEL once, for every expression evaluated over them."""
    return environment().Activation(data=data)


def evaluate(program: Program, data: dict[str, Any] | Any, budget: cost.Budget | None = None) -> Result:
    """The value, or CEL's error as the API server words it. `data`: a dict, or `bind(dict)`
    (converting a request's objects once instead of per expression is 7x faster). The cost is
    spent from `budget` (a fresh policy budget if None): OutOfBudget when it runs out."""
    budget = budget or cost.Budget()
    value, error = None, ""
    tracker = cost.Tracker(min(cost.PER_CALL_LIMIT, budget.remaining), cost=program.units)
    token = cost.CURRENT.set(tracker)
    try:
        value = program.compiled.eval(data=data) if isinstance(data, dict) else program.compiled.eval(data)
    except Exception as e:  # the engine's own refusal (a bad value handed in): an evaluation error
        value, error = None, str(e)
    finally:
        cost.CURRENT.reset(token)
    failed = f"expression '{program.text.strip()}' resulted in error: "
    if (
        value is None and cost.ENGINE_LIMIT in error
    ):  # past the engine's limit: what would the API server say?
        projected = tracker.projected()
        budget.spend(min(projected, cost.PER_CALL_LIMIT + 1))
        if projected <= cost.PER_CALL_LIMIT:
            return Result(error=failed + cost.ENGINE_ERROR.format(cost=projected))
        return Result(error=failed + cost.LIMIT_ERROR)
    budget.spend(tracker.cost)
    if tracker.cost > cost.PER_CALL_LIMIT:
        return Result(error=failed + cost.LIMIT_ERROR)
    if value is None:
        return Result(error=failed + error.replace("__string(", "string("))
    if value.type().name() == "ERROR":
        return Result(error=f"expression '{program.text.strip()}' resulted in error: {str(value.plain_value()).replace('__string(', 'string(')}")
    return Result(value=value.plain_value())
