"""who-can over real RBAC semantics: aggregation, wildcards, subresources, resourceNames, URLs, scopes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.cluster.load import load_path
from hullguard.cluster.rbac.model import parse_rbac
from hullguard.cluster.rbac.resources import parse_resource
from hullguard.cluster.rbac.whocan import who_can
from hullguard.errors import UsageError

FIXTURE = Path(__file__).parent / "fixtures" / "rbac"


def _who(
    verb: str, resource: str, namespace: str | None = None
) -> list[tuple[str, str, str | None, tuple[str, ...]]]:
    rbac = parse_rbac(load_path(FIXTURE))
    grants = who_can(rbac, verb, parse_resource(resource), namespace)
    return [(g.subject.kind, g.subject.name, g.namespace, g.resource_names) for g in grants]


def test_aggregated_role_and_restricted_names() -> None:
    assert _who("get", "secrets", "kube-system") == [
        ("Group", "monitoring-team", None, ()),
        ("User", "bob", "kube-system", ("bootstrap-token",)),
    ]
    # anywhere: the RoleBinding of a ClusterRole in ci counts, scoped to ci
    assert ("ServiceAccount", "builder", "ci", ()) in _who("list", "secrets")
    assert ("ServiceAccount", "builder", "ci", ()) not in _who("list", "secrets", "kube-system")


def test_wildcards_cover_subresources_but_a_resource_does_not() -> None:
    assert _who("create", "pods/exec", "ops") == [("Group", "system:serviceaccounts:ops", None, ())]
    assert ("User", "carol", "ops", ()) in _who("create", "pods", "ops")
    assert _who("update", "deployments.apps/scale", "ops") == []  # */scale was granted only in the core group
    assert _who("update", "replicationcontrollers/scale", "ops") == [("User", "carol", "ops", ())]


def test_non_resource_urls_and_cluster_scoped_resources() -> None:
    assert _who("get", "/metrics/cadvisor") == [("Group", "system:serviceaccounts:ops", None, ())]
    assert _who("get", "/livez") == []
    assert _who("create", "clusterroles.rbac.authorization.k8s.io") == [
        ("Group", "system:serviceaccounts:ops", None, ())
    ]
    # a RoleBinding never grants a cluster-scoped resource
    assert _who("create", "nodes", "ops") == [("Group", "system:serviceaccounts:ops", None, ())]


def test_resource_names_resolve_through_the_shipped_table() -> None:
    assert (parse_resource("deploy").group, parse_resource("deploy").resource) == ("apps", "deployments")
    assert parse_resource("deployments.apps/scale").subresource == "scale"
    assert parse_resource("nodes").namespaced is False
    assert parse_resource("widgets", {"widgets": {"example.com"}}).group == "example.com"
    with pytest.raises(UsageError, match="not a built-in resource"):
        parse_resource("widgets")


def test_cli_json_names_binding_and_role(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "k8s",
                "who-can",
                "get",
                "secrets",
                "--namespace",
                "kube-system",
                str(FIXTURE),
                "--format",
                "json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert [(s["kind"], s["name"], s["restricted"]) for s in out["subjects"]] == [
        ("Group", "monitoring-team", False),
        ("User", "bob", True),
    ]
    bob = out["subjects"][1]["grants"][0]
    assert bob["binding"] == {"kind": "RoleBinding", "name": "one-secret", "namespace": "kube-system"}
    assert bob["role"] == {"kind": "Role", "name": "one-secret", "namespace": "kube-system"}
    assert bob["resource_names"] == ["bootstrap-token"]
    assert any("does-not-exist, which does not exist" in i["message"] for i in out["issues"])


def test_table_groups_subjects_and_draws_the_grant(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["k8s", "who-can", "get", "secrets", "-n", "kube-system", str(FIXTURE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Who can get secrets (API group core) in namespace kube-system:"
    assert out.index("Users:") < out.index("  bob") < out.index("Groups:") < out.index("  monitoring-team")
    assert (
        "    ← RoleBinding kube-system/one-secret → Role kube-system/one-secret (in kube-system)  only bootstrap-token"
        in out
    )
