"""Loading a cluster from files: multi-document YAML, List kinds, kubectl JSON dumps, bad input as issues."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.cluster.load import ClusterInputError, load_path

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"containers": [{"name": "c", "image": "nginx"}]},
}


def test_kubectl_dump_list_and_multi_document_yaml(tmp_path: Path) -> None:
    dump = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [POD, {**POD, "metadata": {"name": "db", "namespace": "shop"}}],
    }
    (tmp_path / "dump.json").write_text(json.dumps(dump))
    (tmp_path / "more.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n"
    )
    cluster = load_path(tmp_path)
    assert sorted((o.kind, o.namespace, o.name) for o in cluster.objects) == [
        ("Namespace", None, "shop"),
        ("Pod", "shop", "db"),
        ("Pod", "shop", "web"),
        ("ServiceAccount", "default", "sa"),
    ]
    assert cluster.namespaces == {"shop", "default"}
    assert cluster.issues == ()


def test_bad_objects_become_issues_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {labels: {a: b}}\n---\n"
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
    )
    (tmp_path / "broken.yaml").write_text("kind: [\n")
    cluster = load_path(tmp_path)
    assert [o.name for o in cluster.objects] == ["web"]
    messages = [f"{i.path}: {i.message}" for i in cluster.issues]
    assert any(
        m.startswith("a.yaml:5: Pod default/web: duplicate name (first in a.yaml:1)") for m in messages
    ), messages
    assert any(m.startswith("a.yaml:9: ") and "metadata.name is missing" in m for m in messages), messages
    assert any(m.startswith("broken.yaml: broken.yaml:") and "not valid YAML" in m for m in messages), (
        messages
    )
    assert any("skipped 1 object(s) of kind Widget" in m for m in messages), messages


def test_nothing_readable_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("kind: [\n")
    with pytest.raises(ClusterInputError, match="no Kubernetes objects could be read"):
        load_path(tmp_path)
    with pytest.raises(ClusterInputError, match="no such file"):
        load_path(tmp_path / "missing")
