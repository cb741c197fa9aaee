"""The condition language on hand-written events: operators, precedence, lists, macros, errors."""

from __future__ import annotations

import re

import pytest

from hullguard.events.compiler import Definitions, compile_condition, event_types, expand
from hullguard.events.errors import ConditionError, UnknownField
from hullguard.events.syntax import And, Check, FieldRef, ListRef, MacroRef, Not, Op, Or, parse
from tests.events.factory import AUDIT_FIELDS, POD_CREATE

LISTS = {"write_verbs": ("create", "update", "patch"), "admins": ("ops", "admins"),
         "all_groups": ("admins", "ci")}


def holds(condition: str, event: dict[str, object] = POD_CREATE, macros: dict[str, str] | None = None) -> bool:
    defs = Definitions(lists=LISTS, macros={k: parse(v) for k, v in (macros or {}).items()})
    return compile_condition(expand(parse(condition), defs), AUDIT_FIELDS).evaluate(event)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("ka.verb = create", True),
        ("ka.verb == create", True),
        ("ka.verb=create", True),
        ("ka.verb != create", False),
        ("ka.verb in (get, list)", False),
        ("ka.verb in (write_verbs)", True),
        ("ka.verb in (get, write_verbs)", True),
        ("ka.verb in ('write_verbs')", False),  # quoted: the word itself, not the list
        ("ka.user.name startswith system:serviceaccount:", True),
        ("ka.user.name endswith ':builder'", True),
        ("ka.user.name contains \"account:ci\"", True),
        ("ka.user.name icontains ACCOUNT", True),
        ("ka.user.name contains ACCOUNT", False),
        ("ka.user.name glob 'system:*:ci:*'", True),
        ("ka.user.name glob 'system:*:kube:*'", False),
        ("ka.user.name regex '^system:serviceaccount:[a-z]+:'", True),
        ("ka.target.namespace pmatch (ci, kube-system)", True),
        ("ka.target.namespace pmatch (c)", False),
        ("ka.user.groups intersects (admins, ci)", True),
        ("ka.user.groups intersects (all_groups)", True),
        ("ka.user.groups intersects (admins)", False),
        ("ka.user.groups = ci", True),  # a list field matches when any element does
        ("ka.response.code >= 200 and ka.response.code < 300", True),
        ("ka.response.code > 201", False),
        ("ka.response.code <= 201", True),
        ("ka.response.code in (200, 201)", True),
        ("ka.req.pod.containers.privileged = true", True),
        ("ka.req.pod.containers.privileged = false", False),
        ("ka.uri.param[dryRun] = All", True),
        ("ka.uri.param.dryRun = All", True),
        ("ka.uri.param[pretty] exists", False),
        ("ka.verb exists", True),
        ("not ka.verb = get", True),
        ("not not ka.verb = get", False),
        ("ka.verb = get or ka.verb = create and ka.response.code = 201", True),
        ("(ka.verb = get or ka.verb = create) and ka.response.code = 500", False),
        ("ka.verb = get or not ka.response.code = 500 and ka.verb = create", True),
        ("not (ka.verb = get or ka.verb = list)", True),
    ],
)
def test_operators_and_precedence(condition: str, expected: bool) -> None:
    assert holds(condition) is expected


def test_missing_values_never_match_not_even_inequality() -> None:
    empty: dict[str, object] = {}
    assert not holds("ka.verb != get", empty)
    assert not holds("ka.verb exists", empty)
    assert holds("not ka.verb exists", empty)


def test_macros_inline_and_nest() -> None:
    macros = {"write": "ka.verb in (write_verbs)", "ci_write": "write and ka.target.namespace = ci"}
    assert holds("ci_write and not ka.verb = delete", macros=macros)
    with pytest.raises(ConditionError, match="refers to itself"):
        holds("loop", macros={"loop": "ka.verb = x or loop"})
    with pytest.raises(ConditionError, match="undefined macro"):
        holds("nothing_defined")


def test_parse_tree_shape() -> None:
    node = parse("a and not b.c in (x, 'y') or d.e exists")
    assert node == Or((And((MacroRef("a"), Not(Check(FieldRef("b.c"), Op.IN, (ListRef("x"), "y"))))),
                       Check(FieldRef("d.e"), Op.EXISTS)))
    assert parse("proc.aname[2] in (runc:[0:PARENT], sh)") == Check(
        FieldRef("proc.aname", "2"), Op.IN, (ListRef("runc:[0:PARENT]"), ListRef("sh")))


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("ka.verb = ", "expected a value"),
        ("(ka.verb = x", "expected ')'"),
        ("ka.verb create", "expected an operator"),
        ("ka.verb = 'x", "unterminated string"),
        ("and ka.verb = x", "expected a field"),
        ("ka.verb = x y", "unexpected"),
        ("ka.verb in x", "expected '('"),
    ],
)
def test_syntax_errors_say_where(condition: str, message: str) -> None:
    with pytest.raises(ConditionError, match=re.escape(message)):
        parse(condition)


def test_type_errors_and_unknown_fields_fail_at_compile_time() -> None:
    with pytest.raises(UnknownField, match=r"ka\.nope"):
        holds("ka.nope = 1")
    with pytest.raises(UnknownField):
        holds("ka.uri.param exists")  # the argument is required
    with pytest.raises(ConditionError, match="not a valid int"):
        holds("ka.response.code = abc")
    with pytest.raises(ConditionError, match="needs a string field"):
        holds("ka.response.code startswith 2")
    with pytest.raises(ConditionError, match="needs a numeric field"):
        holds("ka.verb > a")


def test_event_types_index_is_a_sound_over_approximation() -> None:
    assert event_types(parse("evt.type in (open, openat) and proc.name = x")) == {"open", "openat"}
    assert event_types(parse("evt.type = execve or evt.type = execveat")) == {"execve", "execveat"}
    assert event_types(parse("evt.type = execve or proc.name = x")) is None
    assert event_types(parse("not evt.type = execve")) is None
