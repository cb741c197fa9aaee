"""Read a cluster from files: a file or folder of YAML/JSON manifests, `List` kinds, `kubectl get -A -o json`."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from hullguard.cluster.model import KNOWN_KINDS, Cluster, label, where
from hullguard.errors import Error
from hullguard.model import Issue
from hullguard.rules.discover import FileKind, discover
from hullguard.rules.kubernetes.objects import KubeObject, iter_objects
from hullguard.rules.kubernetes.yamldoc import YamlDoc, YamlError, load_documents

CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "Node",
        "AdminNetworkPolicy",
        "BaselineAdminNetworkPolicy",
        "ClusterUserDefinedNetwork",
    }
)
MAX_JSON = 512 << 20
STAGE = "cluster"


class ClusterInputError(Error):
    """Nothing usable could be read from the cluster input."""


def load_path(root: Path, kinds: frozenset[str] | None = None) -> Cluster:
    """Every known object under `root` (only `kinds`, when given); unreadable files and odd objects
    become issues."""
    if not root.exists():
        raise ClusterInputError(f"{root}: no such file or folder")
    objects: list[KubeObject] = []
    issues: list[Issue] = []
    files = 0
    for file in discover(root):
        if file.kind is FileKind.DOCKERFILE:
            continue
        files += 1
        try:
            docs = _documents(file.path, file.display, file.kind)
        except (OSError, Error) as e:
            message = e.diagnostics() if isinstance(e, Error) else f"cannot read: {e}"
            issues.append(Issue(stage=STAGE, path=file.display, message=message))
            continue
        for doc in docs:
            found = list(iter_objects(typed_items(doc, kinds), file.display))
            if not found and doc.data is not None:
                issues.append(
                    Issue(
                        stage=STAGE,
                        path=f"{file.display}:{doc.lines(())[0]}" if doc.spans else file.display,
                        message=f"document {doc.index + 1}: not a Kubernetes object (no kind/apiVersion); skipped",
                    )
                )
            objects.extend(found)
    cluster = build(objects, issues, str(root))
    if not cluster.objects and (cluster.issues or not files):
        detail = "; ".join(i.message for i in cluster.issues[:3]) or "no YAML or JSON files"
        raise ClusterInputError(f"{root}: no Kubernetes objects could be read ({detail})")
    return cluster


def typed_items(doc: YamlDoc, kinds: frozenset[str] | None = None) -> YamlDoc:
    """Items of a typed list (`PodList`, as the API returns it) carry no kind: give them the list's.
    With `kinds`, items of other kinds are left out before any object is built (who-can reads RBAC only)."""
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return doc
    kind = str(data.get("kind") or "")
    if not kind.endswith("List"):
        return doc
    if kind != "List":
        item_kind = kind.removesuffix("List")
        items = [
            {"kind": item_kind, "apiVersion": data.get("apiVersion", "v1"), **i} if isinstance(i, dict) else i
            for i in data["items"]
        ]
    else:
        items = data["items"]
    if kinds is not None:
        # keep positions (line spans are keyed by index): other kinds become empty placeholders
        items = [i if isinstance(i, dict) and i.get("kind") in kinds else None for i in items]
    return YamlDoc({**data, "items": items}, doc.spans, doc.index)


def _documents(path: Path, display: str, kind: FileKind) -> list[YamlDoc]:
    if kind is FileKind.JSON:
        if path.stat().st_size > MAX_JSON:
            raise ClusterInputError(f"{display}: larger than {MAX_JSON} bytes; not read")
        try:
            # JSON dumps are big: the stdlib reads them ten times faster than YAML (no line numbers then)
            return [YamlDoc(json.loads(path.read_bytes()), {}, 0)]
        except (ValueError, RecursionError) as e:
            text = path.read_text(encoding="utf-8", errors="replace")
            if not text.lstrip().startswith(("{", "[")):
                return load_documents(text, display)  # YAML in a .json file
            raise YamlError(f"{display}: not valid JSON: {e}") from e
    return load_documents(path.read_text(encoding="utf-8", errors="replace"), display)


def build(objects: list[KubeObject], issues: list[Issue], source: str) -> Cluster:
    """Check and normalise objects: namespaces defaulted, odd ones reported, duplicates dropped."""
    kept: dict[tuple[str, str, str], KubeObject] = {}
    notes: dict[str, int] = {}
    for o in objects:
        problem = _malformed(o)
        if problem:
            issues.append(Issue(stage=STAGE, path=where(o), message=f"{label(o)}: {problem}; skipped"))
            continue
        if o.kind not in KNOWN_KINDS:
            notes[o.kind] = notes.get(o.kind, 0) + 1
            continue
        if o.kind in CLUSTER_SCOPED:
            o = replace(o, namespace=None)
        elif not o.namespace:
            o = replace(o, namespace="default")
        key = (o.kind, o.namespace or "", o.name)
        if key in kept:
            issues.append(
                Issue(
                    stage=STAGE,
                    path=where(o),
                    message=f"{label(o)}: duplicate name (first in {where(kept[key])}); this one skipped",
                )
            )
            continue
        kept[key] = o
    for kind, count in sorted(notes.items()):
        issues.append(
            Issue(
                stage=STAGE, message=f"skipped {count} object(s) of kind {kind}: not used by cluster analysis"
            )
        )
    return Cluster(objects=tuple(kept.values()), issues=tuple(issues), source=source)


def _malformed(o: KubeObject) -> str | None:
    meta = o.raw.get("metadata")
    if not isinstance(meta, dict):
        return "no metadata mapping"
    if not isinstance(meta.get("name"), str) or not meta["name"]:
        return "metadata.name is missing or not a string"
    if "namespace" in meta and meta["namespace"] is not None and not isinstance(meta["namespace"], str):
        return "metadata.namespace is not a string"
    labels = meta.get("labels")
    if labels is not None and not isinstance(labels, dict):
        return "metadata.labels is not a mapping"
    return None
