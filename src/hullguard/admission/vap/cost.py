"""The API server's CEL cost limits, for an engine that does not count cost itself.

Kubernetes stops an expression at 1,000,000 cost units ("operation cancelled: actual cost limit
exceeded") and a policy evaluation at 10,000,000 in all ("validation failed due to running out of
cost budget, ..."), counting about one unit per identifier, field selection and function call
evaluated (k8s.io/apiserver/pkg/apis/cel/config.go; cel-go's runtime cost tracker).
cel-expr-python has no cost tracking, and only comprehensions (`all`, `exists`, `exists_one`,
`map`, `filter`) repeat work, so the bound is counted where it grows: each macro body is
rewritten to `(__cost(N) ? (body) : false)` where N is the body's own units (tokens outside
nested macros, plus the loop's own steps) and `__cost` charges them on every iteration. Past
the limit `__cost` fails, which ends each running loop's remaining iterations in one step, and the
evaluation's result is replaced by the API server's error. Size-dependent costs of built-in
string functions are not counted: without a loop they are bounded by the request's 3 MiB.
"""

from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass

PER_CALL_LIMIT = 1_000_000
POLICY_BUDGET = 10_000_000
LIMIT_ERROR = "operation cancelled: actual cost limit exceeded"
ENGINE_LIMIT = "Iteration budget exceeded"
ENGINE_ERROR = (
    "hullguard's CEL engine stops after 10,000 loop iterations per expression; the API server "
    "would go on (its limit is a cost of 1,000,000; this expression's is projected at {cost:,})"
)
BUDGET_ERROR = "validation failed due to running out of cost budget, no further validation rules will be run"
MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
LOOP_STEPS = 3
"""Per iteration: the loop condition (a call and the accumulator) and the accumulator in the step."""
TOKEN = re.compile(
    r"""(?P<space>\s+|//[^\n]*)
      | (?P<string>(?:[rR][bB]?|[bB][rR]?)?(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"
                   |'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))
      | (?P<number>\.?[0-9][0-9a-fA-FxXuUeE.]*(?:[eE][+-]?[0-9]+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>&&|\|\||==|!=|<=|>=|\.\?|\[\?|[-+*/%<>!?:.,()\[\]{}])
    """,
    re.VERBOSE | re.DOTALL,
)
FREE = frozenset({"&&", "||", "?", ":", ".", ",", "(", ")", "]", "{", "}", ".?", "true", "false", "null"})


class CostError(Exception):
    """The per-expression limit was passed: the expression's result is this error."""


class OutOfBudget(Exception):
    """The policy evaluation's total budget was passed: nothing more is evaluated."""


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str


def tokenize(text: str) -> list[Token]:
    """CEL's tokens, enough to find macro calls and count units; joined, they give `text` back."""
    tokens, at = [], 0
    while at < len(text):
        m = TOKEN.match(text, at)
        if m is None:  # anything the compiler accepted but this does not know: kept as is
            tokens.append(Token("other", text[at]))
            at += 1
            continue
        kind = m.lastgroup or "other"
        tokens.append(Token(kind, m.group()))
        at = m.end()
    return tokens


def _units(token: Token) -> int:
    if token.kind in ("space", "string", "number", "other") or token.text in FREE:
        return 0
    return 1


def close_call(tokens: list[Token], start: int) -> tuple[int, list[tuple[int, int]]]:
    """From the token after an opening `(`: the index of its `)`, and the top-level arguments."""
    depth, args, begin = 0, [], start
    for i in range(start, len(tokens)):
        text = tokens[i].text
        if text in ("(", "[", "{", "[?"):
            depth += 1
        elif text in (")", "]", "}"):
            if depth == 0:
                args.append((begin, i))
                return i, args
            depth -= 1
        elif text == "," and depth == 0:
            args.append((begin, i))
            begin = i + 1
    raise ValueError("unbalanced parentheses")


OPENERS = {")": "(", "]": "[", "}": "{"}


def _receiver(tokens: list[Token], dot: int) -> int | None:
    """Where the receiver of the member call at `dot` starts: the postfix chain before it
    (names, literals, calls, indexes, selections), or None if it holds a macro or is unclear."""
    i = dot - 1
    while i >= 0:
        while i >= 0 and tokens[i].kind == "space":
            i -= 1
        if i < 0:
            return None
        text = tokens[i].text
        if text in OPENERS:
            depth = 0
            while i >= 0:
                depth += tokens[i].text in OPENERS
                depth -= tokens[i].text in ("(", "[", "{", "[?")
                if depth == 0:
                    break
                i -= 1
            if i < 0:
                return None
            j = i - 1
            while j >= 0 and tokens[j].kind == "space":
                j -= 1
            if (
                tokens[i].text in ("(", "[", "[?")
                and j >= 0
                and (tokens[j].kind in ("name", "string", "number") or tokens[j].text in OPENERS)
            ):
                i = j
                continue
        elif tokens[i].kind not in ("name", "string", "number"):
            return None
        j = i - 1
        while j >= 0 and tokens[j].kind == "space":
            j -= 1
        if j >= 0 and tokens[j].text in (".", ".?"):
            i = j - 1
            continue
        if any(
            t.text in MACROS and k + 1 < dot and tokens[k + 1].text == "("
            for k, t in enumerate(tokens[i:dot], i)
        ):
            return None
        return i
    return None


def _rewrite(tokens: list[Token], start: int, end: int, depth: int = 0) -> tuple[str, int]:
    """The text of tokens[start:end] with every macro body charged, and its own units. An
    outermost loop also reports its size first, to project its cost (see `Tracker.projected`)."""
    out: list[tuple[int, str]] = []
    units, i = 0, start
    while i < end:
        token = tokens[i]
        is_macro = (
            token.text == "." and i + 2 < end and tokens[i + 1].text in MACROS and tokens[i + 2].text == "("
        )
        if not is_macro:
            out.append((i, token.text))
            units += _units(token)
            i += 1
            continue
        name = tokens[i + 1].text
        close, args = close_call(tokens, i + 3)
        pieces = [_rewrite(tokens, a, b, depth + 1) for a, b in args]
        body_units = sum(u for _, u in pieces[1:]) + LOOP_STEPS
        texts = [text for text, _ in pieces]
        # the argument run on every iteration: a condition (bool), or map's transform (any type)
        fallback = "__never()" if name == "map" and len(args) == 2 else "false"
        tick = "__step" if depth == 0 else "__cost"
        if len(texts) > 1:
            texts[1] = f"({tick}({body_units}) ? ({texts[1]}) : {fallback})"
        call = f".{name}(" + ",".join(texts) + ")"
        begin = _receiver(tokens, i) if depth == 0 else None
        if begin is not None and begin >= start:
            receiver = "".join(t.text for t in tokens[begin:i])
            while out and out[-1][0] >= begin:
                out.pop()
            call = f"(__loop(size({receiver})) ? ({receiver}{call}) : __never())"
        out.append((i, call))
        units += 1
        i = close + 1
    return "".join(text for _, text in out), units


def instrument(text: str) -> tuple[str, int]:
    """The expression with its macro bodies charged, and the units it costs outside them.
    ValueError when the text cannot be rewritten (the caller keeps the original)."""
    tokens = tokenize(text)
    return _rewrite(tokens, 0, len(tokens))


class Tracker:
    """One expression's cost, charged by `__cost` while it is evaluated, and the outermost loop
    in progress (its size, the cost when it began, iterations done) for `projected`."""

    __slots__ = ("cost", "done", "limit", "size", "start")

    def __init__(self, limit: int, cost: int = 0) -> None:
        self.limit, self.cost = limit, cost
        self.size = self.start = self.done = 0

    def charge(self, units: int) -> bool:
        self.cost += units
        if self.cost > self.limit:
            raise CostError(LIMIT_ERROR)
        return True

    def begin(self, size: int) -> bool:
        self.size, self.start, self.done = size, self.cost, 0
        return True

    def step(self, units: int) -> bool:
        self.done += 1
        return self.charge(units)

    def projected(self) -> int:
        """The whole cost, extrapolated from the outermost loop's iterations so far: what the
        API server would count had the engine not stopped at its own iteration limit."""
        if self.done == 0:
            return self.cost
        return self.start + (self.cost - self.start) * max(self.size, self.done) // self.done


class Budget:
    """What is left of one policy evaluation's budget, spent by each expression in turn."""

    __slots__ = ("remaining",)

    def __init__(self, remaining: int = POLICY_BUDGET) -> None:
        self.remaining = remaining

    def spend(self, cost: int) -> None:
        if cost > self.remaining:
            raise OutOfBudget(BUDGET_ERROR)
        self.remaining -= cost


CURRENT: contextvars.ContextVar[Tracker | None] = contextvars.ContextVar("cel_cost", default=None)


def charge(units: int) -> bool:
    """`__cost(units)`, called by the evaluator on every iteration of a nested macro."""
    tracker = CURRENT.get()
    return True if tracker is None else tracker.charge(units)


def step(units: int) -> bool:
    """`__step(units)`: an iteration of an outermost macro."""
    tracker = CURRENT.get()
    return True if tracker is None else tracker.step(units)


def begin(size: int) -> bool:
    """`__loop(size)`: an outermost macro begins over `size` elements."""
    tracker = CURRENT.get()
    return True if tracker is None else tracker.begin(size)
