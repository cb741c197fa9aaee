"""`--kubeconfig`: the live read through the official kubernetes client.

No Kubernetes API server can run on these machines, so this test serves HTTPS from a local
stdlib server with a self-signed certificate (openssl, as the registry tests make theirs) and replays API list responses in the shape the
real API server returns (typed `PodList`/`RoleBindingList` bodies whose items carry no kind,
`metadata.continue` paging, a 403 Status for one kind). It checks that paging is followed, the
bearer token is sent, a forbidden kind becomes an issue and the rest is analysed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hullguard.cli.main import main
from tests.support.replay import replay_server
from tests.support.servers import free_port

TOKEN = "test-token-123"
POD = {"metadata": {"name": "web-1", "namespace": "shop", "labels": {"app": "web"}},
       "spec": {"serviceAccountName": "web", "containers": [{"name": "web", "image": "nginx:1.25"}]},
       "status": {"hostIP": "10.0.0.5", "podIPs": [{"ip": "10.244.0.7"}]}}  # fmt: skip
FORBIDDEN = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "reason": "Forbidden", "code": 403,
             "message": 'clusterroles.rbac.authorization.k8s.io is forbidden: User "viewer" cannot list resource'}  # fmt: skip


def _list(kind: str, items: list[dict[str, object]], cont: str = "") -> dict[str, object]:
    return {
        "kind": f"{kind}List",
        "apiVersion": "v1",
        "metadata": {"resourceVersion": "4242", **({"continue": cont} if cont else {})},
        "items": items,
    }


def _respond(path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, object]]:
    if path == "/api/v1/pods":
        if query.get("continue") == ["page2"]:
            return 200, _list("Pod", [{**POD, "metadata": {**POD["metadata"], "name": "web-2"}}])  # type: ignore[dict-item]
        return 200, _list("Pod", [POD], cont="page2")
    if path == "/apis/rbac.authorization.k8s.io/v1/clusterroles":
        return 403, FORBIDDEN
    if path == "/apis/rbac.authorization.k8s.io/v1/rolebindings":
        return 200, _list("RoleBinding", [{"metadata": {"name": "web-reads", "namespace": "shop"},
                                          "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
                                          "subjects": [{"kind": "ServiceAccount", "name": "web", "namespace": "shop"}]}])  # fmt: skip
    if path == "/apis/rbac.authorization.k8s.io/v1/roles":
        return 200, _list("Role", [{"metadata": {"name": "reader", "namespace": "shop"},
                                    "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}]}])  # fmt: skip
    return 200, _list("Thing", [])


@pytest.fixture
def api_server(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    with replay_server(tmp_path, _respond) as api:
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "other",
            "clusters": [{"name": "test", "cluster": {"server": api.url, "certificate-authority": str(api.ca)}}],
            "users": [{"name": "viewer", "user": {"token": TOKEN}}],
            "contexts": [{"name": "test", "context": {"cluster": "test", "user": "viewer"}},
                         {"name": "other", "context": {"cluster": "missing", "user": "viewer"}}],
        }))  # fmt: skip
        yield api.url, kubeconfig, api.seen


def test_live_read_pages_and_reports_forbidden_kinds(
    api_server: tuple[str, Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, kubeconfig, seen = api_server
    assert (
        main(
            [
                "k8s",
                "who-can",
                "list",
                "secrets",
                "-n",
                "shop",
                "--kubeconfig",
                str(kubeconfig),
                "--context",
                "test",
                "-f",
                "json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert [(s["kind"], s["name"]) for s in out["subjects"]] == [("ServiceAccount", "web")]
    assert any("cannot list ClusterRole: forbidden" in i["message"] for i in out["issues"])
    # who-can lists only what RBAC needs (paging is followed: test_live_read_finds_both_pages)
    assert f"Bearer {TOKEN} /apis/rbac.authorization.k8s.io/v1/rolebindings?limit=500" in seen
    assert not any("/api/v1/pods" in line for line in seen)
    assert all(line.startswith(f"Bearer {TOKEN} ") for line in seen)


def test_live_read_finds_both_pages(api_server: tuple[str, Path, list[str]]) -> None:
    from hullguard.cluster.live import read_live

    _, kubeconfig, _ = api_server
    cluster = read_live(kubeconfig, "test")
    assert sorted(o.name for o in cluster.of_kind("Pod")) == ["web-1", "web-2"]


def test_unusable_kubeconfig_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "kubeconfig"
    bad.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    assert main(["k8s", "rbac", "--kubeconfig", str(bad)]) == 2
    assert "cannot use this kubeconfig" in capsys.readouterr().err


def test_unreachable_api_server_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()  # nothing listens there
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "k", "cluster": {"server": f"https://127.0.0.1:{port}", "insecure-skip-tls-verify": True}}],
        "users": [{"name": "u", "user": {"token": TOKEN}}],
        "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}],
    }))  # fmt: skip
    assert main(["k8s", "rbac", "--kubeconfig", str(kubeconfig)]) == 2
    assert "cannot read the API server" in capsys.readouterr().err
