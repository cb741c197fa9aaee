"""Configuration rules at admission: the same verdicts as `hullguard config` on the rules' own fixtures,
plus modes and namespace exemptions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hullguard.admission.config import Settings, build_reviewer
from hullguard.admission.decision import Mode, answer, wire_key
from hullguard.admission.review import Request, make_review, parse_review
from hullguard.errors import UsageError
from hullguard.model import Severity
from hullguard.rules.engine import ConfigOptions, scan_config
from hullguard.rules.kubernetes.objects import iter_objects
from hullguard.rules.kubernetes.yamldoc import load_documents
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "rules" / "kubernetes"
SKIP = {"HG-K8S-042"}  # about a whole manifest set (namespaces without NetworkPolicy), not one object
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
       "spec": {"containers": [{"name": "c", "image": "nginx:latest"}]}}  # fmt: skip


def _request(obj: dict[str, Any], namespace: str = "apps") -> Request:
    """What the API server sends: the namespace defaulted to the request's."""
    return parse_review(json.dumps(make_review(obj, namespace=namespace)).encode())


def _cases() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("HG-K8S-*/*/*.yaml") if p.parts[-3] not in SKIP)


@pytest.mark.parametrize("fixture", _cases(), ids=lambda p: "/".join(p.parts[-3:]))
def test_admission_agrees_with_the_config_engine(fixture: Path) -> None:
    rule = fixture.parts[-3]
    expected = {
        f.location.path for f in scan_config(fixture.parent, ConfigOptions()).findings if f.id == rule
    }
    reviewer = build_reviewer(Settings(rule_ids=(rule,)))
    text = fixture.read_text()
    denied = []
    for doc in load_documents(text, fixture.name):
        for o in iter_objects(doc, fixture.name):
            decision = reviewer.review(_request(o.raw, o.namespace or "default"))
            denied += [v.check for v in decision.violations]
            assert decision.allowed is (not decision.violations)
    assert bool(denied) is bool(expected), f"{rule}: admission {denied}, config {expected}"
    assert (fixture.parent.name == "fail") is bool(denied)


def test_min_severity_selects_the_rules_and_names_them() -> None:
    decision = build_reviewer(Settings(min_severity=Severity.LOW)).review(_request(POD))
    assert not decision.allowed
    assert "[rules] HG-K8S-006" in decision.message
    assert "[rules] HG-K8S-001" in decision.message
    high = build_reviewer(Settings(min_severity=Severity.CRITICAL)).review(_request(POD))
    assert all(v.check.startswith("HG-K8S") for v in high.violations)
    assert len(high.violations) < len(decision.violations)


def test_warn_and_audit_modes_admit_with_warnings_and_annotations() -> None:
    warn = build_reviewer(Settings(rule_ids=("HG-K8S-006",), mode=Mode.WARN)).review(_request(POD))
    assert warn.allowed and warn.warnings and "HG-K8S-006" in warn.warnings[0]
    assert warn.audit_annotations == ()
    audit = build_reviewer(Settings(rule_ids=("HG-K8S-006",), mode=Mode.AUDIT)).review(_request(POD))
    assert audit.allowed
    assert dict(audit.audit_annotations)["hullguard.io/rules"].startswith("HG-K8S-006: ")


def test_exempt_namespaces_are_not_reviewed() -> None:
    reviewer = build_reviewer(
        Settings(rule_ids=("HG-K8S-006",), exempt_namespaces=frozenset({"kube-system"}))
    )
    assert reviewer.review(_request(POD, "kube-system")).allowed
    assert not reviewer.review(_request(POD, "apps")).allowed


def test_unknown_rule_ids_are_refused_at_start() -> None:
    with pytest.raises(UsageError, match="HG-NOPE"):
        build_reviewer(Settings(rule_ids=("HG-NOPE",)))


def test_a_pod_update_that_keeps_the_spec_is_not_judged_by_pss() -> None:
    reviewer = build_reviewer(Settings(pss_level="restricted"))
    relabelled = {**POD, "metadata": {"name": "p", "labels": {"team": "a"}}}
    update = make_review(relabelled, operation="UPDATE", namespace="apps", old_object=POD)
    assert reviewer.review(parse_review(json.dumps(update).encode())).allowed
    changed = {**POD, "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}
    update = make_review(changed, operation="UPDATE", namespace="apps", old_object=POD)
    assert not reviewer.review(parse_review(json.dumps(update).encode())).allowed


def test_audit_annotation_keys_are_valid_for_a_webhook() -> None:
    audit = build_reviewer(Settings(rule_ids=("HG-K8S-006",), mode=Mode.AUDIT)).review(_request(POD))
    annotations = answer("u", audit)["response"]["auditAnnotations"]
    assert list(annotations) == ["hullguard.io.rules"]
    assert wire_key("validation.policy.admission.k8s.io/validation_failure") == (
        "validation.policy.admission.k8s.io.validation_failure"
    )
    assert wire_key("a" * 80 + "/b") == "a" * 63
    assert wire_key("///") == "hullguard"
