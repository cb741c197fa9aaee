"""ValidatingAdmissionPolicy conformance: Kubernetes' documentation examples and the table-driven tests
of its validating-policy admission plugin, restated as data (k8s_docs.yaml, k8s_plugin.yaml)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from hullguard.admission.config import Settings, build_reviewer
from hullguard.admission.decision import Decision
from hullguard.admission.rbac import RbacInput
from hullguard.admission.review import make_review, parse_review

HERE = Path(__file__).parent
DEFAULT_OBJECT = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "default"}}
MATCH_ALL = {
    "resourceRules": [{"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["*"], "resources": ["*"]}]
}


def _cases(name: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load((HERE / name).read_text()))


def _documents(case: dict[str, Any]) -> list[dict[str, Any]]:
    if "policies" in case:
        return list(yaml.safe_load_all(case["policies"]))
    spec = {"matchConstraints": MATCH_ALL, **case["spec"]}
    docs: list[dict[str, Any]] = [
        {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
         "metadata": {"name": "p"}, "spec": spec}
    ]  # fmt: skip
    for n in range(case.get("bindings", 1)):
        binding: dict[str, Any] = {"policyName": "p", "validationActions": case.get("actions", ["Deny"])}
        if "paramRef" in case:
            binding["paramRef"] = case["paramRef"]
        docs.append({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
                     "metadata": {"name": "b" if n == 0 else f"b{n}"}, "spec": binding})  # fmt: skip
    return docs + list(case.get("params", []))


def _long(text: str) -> str:
    return re.sub(r"LONG(\d+)", lambda m: "x" * int(m.group(1)), text)


def run_case(case: dict[str, Any], tmp_path: Path) -> Decision:
    policy = tmp_path / "policy.yaml"
    policy.write_text(_long(yaml.safe_dump_all(_documents(case), width=100000)))
    namespaces = {ns["metadata"]["name"]: ns for ns in case.get("namespaces", [])}
    rbac = RbacInput()
    if "rbac" in case:
        (tmp_path / "rbac.yaml").write_text(case["rbac"])
        rbac = RbacInput(files=(tmp_path / "rbac.yaml",))
    reviewer = build_reviewer(Settings(vap_files=(policy,), namespaces=namespaces, rbac=rbac))
    obj = case.get("object", DEFAULT_OBJECT)
    review = make_review(obj, operation=case.get("operation", "CREATE"), username=case.get("user", "admin"))
    if "groups" in case:
        review["request"]["userInfo"]["groups"] = case["groups"]
    review["request"].update(case.get("request", {}))
    return reviewer.review(parse_review(json.dumps(review).encode()))


def check(case: dict[str, Any], decision: Decision) -> None:
    expect = case["expect"]
    assert decision.allowed is expect["allowed"], decision.message or decision.warnings
    denials = [v for v in decision.violations if "Deny" in [a.value for a in v.actions]]
    if "message" in expect:
        assert expect["message"] in decision.message
    if "code" in expect:
        assert decision.code == expect["code"]
    if "denials" in expect:
        assert len(denials) == expect["denials"]
    if "messages" in expect:
        assert sorted(v.message for v in denials) == sorted(expect["messages"])
    for warning in expect.get("warnings", []):
        assert warning in decision.warnings
    if expect["allowed"] and "warnings" not in expect:
        assert decision.warnings == ()
    annotations = dict(decision.audit_annotations)
    for key, value in expect.get("annotations", {}).items():
        assert annotations.get(key) == value
    for key in expect.get("no_annotations", []):
        assert key not in annotations


@pytest.mark.parametrize("case", _cases("k8s_docs.yaml"), ids=lambda c: c["name"])
def test_documentation_examples(case: dict[str, Any], tmp_path: Path) -> None:
    check(case, run_case(case, tmp_path))


@pytest.mark.parametrize("case", _cases("k8s_plugin.yaml"), ids=lambda c: c["name"])
def test_plugin_table_cases(case: dict[str, Any], tmp_path: Path) -> None:
    check(case, run_case(case, tmp_path))
