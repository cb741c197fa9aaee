"""Rule files: lists, macros, rules, append/override, exceptions, enabled, priorities, outputs."""

from __future__ import annotations

import re
from textwrap import dedent

import pytest

from hullguard.events.documents import parse_entries
from hullguard.events.errors import RuleFileError
from hullguard.events.priority import Priority
from hullguard.events.ruleset import RuleSet, load_entries
from hullguard.model import Severity
from tests.events.factory import AUDIT_FIELDS, POD_CREATE

BASE = """
- required_engine_version: 0.26.0
- list: write_verbs
  items: [create, update]
- macro: is_write
  condition: ka.verb in (write_verbs)
- rule: Write in CI
  desc: a write in the ci namespace
  condition: is_write and ka.target.namespace = ci
  output: "%ka.user.name did %ka.verb on %ka.target.resource (code=%ka.response.code, x=%ka.uri.param[nope])"
  priority: WARNING
  source: k8s_audit
  tags: [k8s, ci]
"""


def load(*docs: str) -> RuleSet[dict[str, object]]:
    entries = [e for i, d in enumerate(docs) for e in parse_entries(dedent(d), f"f{i}.yaml")]
    return load_entries(entries, {"k8s_audit": AUDIT_FIELDS})


def fired(ruleset: RuleSet[dict[str, object]], event: dict[str, object] = POD_CREATE) -> list[str]:
    return [r.name for r in ruleset.rules if r.enabled and r.condition.evaluate(event)]


def test_rule_loads_with_metadata_and_renders_output() -> None:
    rs = load(BASE)
    assert rs.problems == ()
    (rule,) = rs.rules
    assert (rule.priority, rule.priority.severity, rule.tags, rule.line) == (
        Priority.WARNING, Severity.MEDIUM, ("k8s", "ci"), 7)
    assert rule.output.render(POD_CREATE) == (
        "system:serviceaccount:ci:builder did create on pods (code=201, x=<NA>)")
    assert [str(f) for f in rule.fields][:3] == ["ka.verb", "ka.target.namespace", "ka.user.name"]
    assert fired(rs) == ["Write in CI"]


def test_list_append_old_and_new_style() -> None:
    rs = load(BASE.replace("[create, update]", "[update]"), """
    - list: write_verbs
      items: [patch]
      append: true
    - list: write_verbs
      items: [create]
      override:
        items: append
    """)
    assert fired(rs) == ["Write in CI"]


def test_macro_and_condition_override() -> None:
    rs = load(BASE, """
    - macro: is_write
      condition: and ka.verb != create
      override:
        condition: append
    """)
    assert fired(rs) == []
    rs = load(BASE, """
    - rule: Write in CI
      condition: ka.verb = delete
      override:
        condition: replace
    """)
    assert fired(rs) == []
    rs = load(BASE, """
    - rule: Write in CI
      condition: and ka.response.code = 201
      append: true
    """)
    assert fired(rs) == ["Write in CI"]


def test_enabled_toggles_and_priority_override() -> None:
    rs = load(BASE, "- rule: Write in CI\n  enabled: false\n")
    assert [r.enabled for r in rs.rules] == [False] and fired(rs) == []
    rs = load(BASE, "- rule: Write in CI\n  priority: critical\n  override:\n    priority: replace\n")
    assert rs.rules[0].priority is Priority.CRITICAL


@pytest.mark.parametrize(
    ("exceptions", "fires"),
    [
        ("- {name: sa, fields: [ka.user.name, ka.target.namespace], values: [[system:serviceaccount:ci:builder, ci]]}", False),
        ("- {name: sa, fields: [ka.user.name, ka.target.namespace], values: [[someone, ci]]}", True),
        ("- {name: ns, fields: ka.target.namespace, values: [kube-system, ci]}", False),
        ("- {name: ns, fields: ka.target.namespace, comps: startswith, values: [kube, c]}", False),
        ("- {name: ns, fields: ka.target.namespace, comps: startswith, values: [kube]}", True),
        ("- {name: g, fields: [ka.user.groups], comps: [intersects], values: [[[ci, ops]]]}", False),
        ("- {name: v, fields: [ka.verb, ka.response.code], comps: [in, '>='], values: [[write_verbs, 500]]}", True),
        ("- {name: v, fields: [ka.verb, ka.response.code], comps: [in, '>='], values: [[write_verbs, 200]]}", False),
        ("- {name: empty, fields: [ka.verb]}", True),
    ],
)
def test_exceptions(exceptions: str, fires: bool) -> None:
    doc = BASE + "  exceptions:\n" + "".join(f"    {line}\n" for line in exceptions.splitlines())
    rs = load(doc)
    assert rs.problems == ()
    assert fired(rs) == (["Write in CI"] if fires else [])


def test_exceptions_append_values_by_name() -> None:
    doc = BASE + "  exceptions:\n    - {name: ns, fields: ka.target.namespace, values: [kube-system]}\n"
    rs = load(doc, """
    - rule: Write in CI
      exceptions:
        - {name: ns, values: [ci]}
      override:
        exceptions: append
    """)
    assert fired(rs) == []


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("- rule: Lonely\n  enabled: false\n", "not defined before"),
        ("- rule: R\n  condition: ka.nope = 1\n  output: x\n  priority: INFO\n  source: k8s_audit\n",
         "'ka.nope' is not supplied"),
        ("- rule: R\n  condition: ka.verb = x\n  output: '%ka.nope'\n  priority: INFO\n  source: k8s_audit\n",
         "'ka.nope' is not supplied"),
        ("- rule: R\n  condition: ka.verb = x\n  output: x\n  priority: LOUD\n  source: k8s_audit\n",
         "unknown priority"),
        ("- rule: R\n  condition: evt.type = open\n  output: x\n  priority: INFO\n", "source 'syscall' is not supported"),
        ("- rule: R\n  condition: ka.verb = (x\n  output: x\n  priority: INFO\n  source: k8s_audit\n", "expected"),
        ("- macro: m\n  condition: ((\n", "expected"),
        ("- required_engine_version: 9.0.0\n", "needs engine version 9.0.0"),
        ("- list: l\n  items: [a]\n  override:\n    items: merge\n", "append or replace"),
    ],
)
def test_problems_are_reported_with_file_and_line_never_raised(doc: str, message: str) -> None:
    rs = load(doc)
    assert rs.rules == ()
    (problem,) = rs.problems
    assert problem.file == "f0.yaml" and problem.line == 1
    assert re.search(message, problem.message), problem.message


@pytest.mark.parametrize("text", ["a: b", "- 1", "- {x: 1}", "- [", "rule: x"])
def test_unusable_files_raise_one_clear_error(text: str) -> None:
    with pytest.raises(RuleFileError, match=r"f\.yaml"):
        parse_entries(text, "f.yaml")
