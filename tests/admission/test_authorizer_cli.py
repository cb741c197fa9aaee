"""CEL's `authorizer` through the command line: `admission test --rbac FILE...`, a List from
`kubectl get ... -o yaml`, the warning without RBAC data, bad RBAC files, and `--kubeconfig`
reading the live cluster's RBAC objects (only when a policy reads `authorizer`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from hullguard.cli.main import main
from tests.support.replay import replay_server

POLICY = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: only-secret-readers}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  validations:
  - expression: "authorizer.group('').resource('secrets').namespace(object.metadata.namespace).check('get').allowed()"
    messageExpression: "request.userInfo.username + ' may not read secrets in ' + object.metadata.namespace"
    reason: Forbidden
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: only-secret-readers}
spec: {policyName: only-secret-readers, validationActions: [Deny]}
"""
ROLE = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "secret-reader", "namespace": "shop"},
        "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}]}  # fmt: skip
BINDING = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
           "metadata": {"name": "ci-reads", "namespace": "shop"},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "secret-reader"},
           "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]}  # fmt: skip
DEPLOYER = "system:serviceaccount:ci:deployer"


def _files(tmp: Path) -> tuple[Path, Path]:
    policy, pod = tmp / "policy.yaml", tmp / "pod.yaml"
    policy.write_text(POLICY)
    pod.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"},
                                   "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}))  # fmt: skip
    return policy, pod


def test_rbac_files_decide_the_authorizer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy, pod = _files(tmp_path)
    role, binding = tmp_path / "role.yaml", tmp_path / "binding.json"
    role.write_text(yaml.safe_dump(ROLE))
    binding.write_text(json.dumps(BINDING))
    rbac = ["--rbac", str(role), str(binding)]
    assert main(["admission", "test", str(policy), str(pod), "--user", DEPLOYER, *rbac]) == 0
    assert capsys.readouterr().err == ""
    assert main(["admission", "test", str(policy), str(pod), "--user", "alice", *rbac]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["response"]["status"]["code"] == 403
    assert out["response"]["status"]["message"].endswith("alice may not read secrets in shop")
    # the same objects as `kubectl get roles,rolebindings -A -o yaml` prints them, in a folder
    folder = tmp_path / "rbac"
    folder.mkdir()
    (folder / "dump.yaml").write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [ROLE, BINDING]}))
    assert main(["admission", "test", str(policy), str(pod), "--user", DEPLOYER, "--rbac", str(folder)]) == 0
    # a group given on the command line counts too
    group_binding = {**BINDING, "subjects": [{"kind": "Group", "name": "release"}]}
    (folder / "dump.yaml").write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [ROLE, group_binding]}))
    assert main(["admission", "test", str(policy), str(pod), "--user", "bob", "--group", "release", "--rbac", str(folder)]) == 0
    capsys.readouterr()


def test_without_rbac_data_checks_fail_and_a_warning_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy, pod = _files(tmp_path)
    assert main(["admission", "test", str(policy), str(pod), "--user", DEPLOYER]) == 1
    err = capsys.readouterr().err
    assert "warning: hullguard has no RBAC data to authorize with (give --rbac FILE or --kubeconfig)" in err


def test_bad_rbac_files_are_refused_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy, pod = _files(tmp_path)
    empty = tmp_path / "pods.yaml"
    empty.write_text(pod.read_text())
    assert main(["admission", "test", str(policy), str(pod), "--rbac", str(empty)]) == 2
    assert "no Role, ClusterRole, RoleBinding or ClusterRoleBinding" in capsys.readouterr().err
    assert main(["admission", "test", str(policy), str(pod), "--rbac", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml: no such file or folder" in capsys.readouterr().err
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump({**BINDING, "roleRef": {"kind": "Role", "name": "gone"}}))
    assert main(["admission", "test", str(policy), str(pod), "--user", DEPLOYER, "--rbac", str(broken)]) == 1
    assert "roleRef names Role shop/gone, which does not exist" in capsys.readouterr().err


def _list(kind: str, items: list[dict[str, object]]) -> dict[str, object]:
    bare = [{k: v for k, v in i.items() if k not in ("kind", "apiVersion")} for i in items]
    return {"kind": f"{kind}List", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {}, "items": bare}


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    lists = {"/apis/rbac.authorization.k8s.io/v1/roles": _list("Role", [ROLE]),
             "/apis/rbac.authorization.k8s.io/v1/rolebindings": _list("RoleBinding", [BINDING]),
             "/apis/rbac.authorization.k8s.io/v1/clusterroles": _list("ClusterRole", []),
             "/api/v1/namespaces": {"kind": "NamespaceList", "apiVersion": "v1", "metadata": {},
                                    "items": [{"metadata": {"name": "shop"}}]}}  # fmt: skip

    def respond(path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        if path in lists:
            return 200, lists[path]
        return 403, {"kind": "Status", "code": 403}

    with replay_server(tmp_path, respond) as api:
        yield api.kubeconfig(tmp_path / "kubeconfig", "token"), api.seen


def test_kubeconfig_reads_the_clusters_rbac(
    cluster: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kubeconfig, seen = cluster
    policy, pod = _files(tmp_path)
    live = ["--kubeconfig", str(kubeconfig)]
    assert main(["admission", "test", str(policy), str(pod), "--user", DEPLOYER, *live]) == 0
    assert main(["admission", "test", str(policy), str(pod), "--user", "alice", *live]) == 1
    err = capsys.readouterr().err
    # a list the webhook may not read is said once at start; the decision goes on without it
    assert "cannot list ClusterRoleBinding: forbidden" in err
    assert any("/apis/rbac.authorization.k8s.io/v1/rolebindings?" in s for s in seen)
    # a policy set that never reads `authorizer` lists namespaces only
    seen.clear()
    plain = tmp_path / "plain.yaml"
    plain.write_text(POLICY.replace("authorizer.group('').resource('secrets').namespace(object.metadata.namespace).check('get').allowed()", "true"))
    assert main(["admission", "test", str(plain), str(pod), *live]) == 0
    assert seen and all("/api/v1/namespaces?" in s for s in seen)
    capsys.readouterr()
