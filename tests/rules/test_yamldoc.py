"""Located YAML: the line range of every node, multi-document streams, List kinds, errors."""

from __future__ import annotations

import pytest

from hullguard.rules.kubernetes.objects import iter_objects
from hullguard.rules.kubernetes.yamldoc import YamlError, check_syntax, load_documents, only_skipped_kinds

STREAM = """\
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web}
  spec:
    template:
      spec:
        containers:
        - name: a
          image: nginx
          securityContext:
            privileged: true
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: job
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: b, image: busybox}]
"""


def test_nodes_have_exact_line_ranges() -> None:
    first, second = load_documents(STREAM, "x.yaml")
    assert first.lines(("items", 0, "spec", "template", "spec", "containers", 0)) == (11, 14)
    assert first.lines(
        ("items", 0, "spec", "template", "spec", "containers", 0, "securityContext", "privileged")
    ) == (14, 14)
    assert first.lines(("items", 0, "metadata", "name")) == (6, 6)
    assert second.lines(("metadata",)) == (18, 19)
    assert second.lines(("does", "not", "exist")) == second.lines(())


def test_list_items_and_cronjobs_become_workloads() -> None:
    docs = load_documents(STREAM, "x.yaml")
    objs = [o for d in docs for o in iter_objects(d, "x.yaml")]
    assert [(o.kind, o.name) for o in objs] == [("Deployment", "web"), ("CronJob", "job")]
    deployment, cronjob = objs
    assert deployment.workload is not None and cronjob.workload is not None
    assert deployment.workload.containers[0].node == ("items", 0, "spec", "template", "spec", "containers", 0)
    assert cronjob.workload.containers[0].image == "busybox"
    assert cronjob.workload.node == ("spec", "jobTemplate", "spec", "template")


def test_non_objects_are_ignored() -> None:
    (doc,) = load_documents("just: data\n", "x.yaml")
    assert list(iter_objects(doc, "x.yaml")) == []


@pytest.mark.parametrize(
    ("text", "line"), [("a: [1, 2\n", 2), ("a: 1\n b: 2\n", 2), ("x: {{ .Values }}\n", 1)]
)
def test_errors_name_the_line(text: str, line: int) -> None:
    with pytest.raises(YamlError, match=rf"x.yaml:{line}: not valid YAML"):
        load_documents(text, "x.yaml")


def test_crd_only_files_are_syntax_checked_not_built() -> None:
    crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  names: {kind: Foo}\n"
    assert only_skipped_kinds(crd) and only_skipped_kinds(crd + "---\n" + crd)
    assert not only_skipped_kinds(crd + "---\napiVersion: v1\nkind: Pod\n")
    check_syntax(crd, "crd.yaml")
    with pytest.raises(YamlError, match=r"crd\.yaml:6: not valid YAML"):
        check_syntax(crd + "spec: [\n", "crd.yaml")
