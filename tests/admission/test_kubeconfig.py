"""`--kubeconfig`: Namespace objects (and so their pod-security labels) read from a live cluster.

No Kubernetes API server can run here: a local HTTPS server (self-signed, as the cluster tests'
one) answers the one list call, with a NamespaceList in the shape the API server returns (items
without kind, `metadata.continue` paging)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from hullguard.cli.main import main
from tests.admission.test_cli import POLICY
from tests.support.replay import replay_server

TOKEN = "ns-reader-token"


def _namespaces(query: dict[str, list[str]]) -> dict[str, object]:
    page2 = query.get("continue") == ["more"]
    items = (
        [{"metadata": {"name": "legacy", "labels": {"pod-security.kubernetes.io/enforce": "baseline",
                                                   "kubernetes.io/metadata.name": "legacy"}}}]
        if not page2
        else [{"metadata": {"name": "shop", "labels": {"kubernetes.io/metadata.name": "shop"}}}]
    )  # fmt: skip
    meta = {"resourceVersion": "77", **({} if page2 else {"continue": "more"})}
    return {"kind": "NamespaceList", "apiVersion": "v1", "metadata": meta, "items": items}


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    def respond(path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        if path == "/api/v1/namespaces":
            return 200, _namespaces(query)
        return 404, {"kind": "Status", "code": 404}

    with replay_server(tmp_path, respond) as api:
        yield api.kubeconfig(tmp_path / "kubeconfig", TOKEN), api.seen


def _pod(tmp_path: Path, namespace: str) -> Path:
    """Baseline-clean, restricted-failing (no runAsNonRoot, no seccomp, capabilities kept)."""
    path = tmp_path / f"pod-{namespace}.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": namespace},
                                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}))  # fmt: skip
    return path


def test_namespace_labels_from_the_cluster_decide_the_level(
    kubeconfig: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, seen = kubeconfig
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    common = ["--pss", "restricted", "--kubeconfig", str(path)]
    # `legacy` is labelled enforce=baseline in the cluster: the pod passes there...
    assert main(["admission", "test", str(policy), str(_pod(tmp_path, "legacy")), *common]) == 0
    # ...and is denied at the default level where the namespace says nothing (found on page 2).
    assert main(["admission", "test", str(policy), str(_pod(tmp_path, "shop")), *common]) == 1
    assert f"Bearer {TOKEN} /api/v1/namespaces?limit=500&continue=more" in seen  # paging followed
    assert all(s.startswith(f"Bearer {TOKEN} /api/v1/namespaces?") for s in seen)  # only namespaces listed
    # without the cluster's labels, restricted applies to both
    assert main(["admission", "test", str(policy), str(_pod(tmp_path, "legacy")), "--pss", "restricted"]) == 1
    capsys.readouterr()


def test_an_unreachable_cluster_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.support.servers import free_port

    config = tmp_path / "kubeconfig"
    config.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "x",
        "clusters": [{"name": "x", "cluster": {"server": f"https://127.0.0.1:{free_port()}", "insecure-skip-tls-verify": True}}],
        "users": [{"name": "u", "user": {"token": "t"}}], "contexts": [{"name": "x", "context": {"cluster": "x", "user": "u"}}],
    }))  # fmt: skip
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    assert main(["admission", "test", str(policy), str(_pod(tmp_path, "shop")), "--kubeconfig", str(config)]) == 2
    assert "cannot read the API server" in capsys.readouterr().err
