"""`hullguard audit-log`: rules over Kubernetes audit events.

No API server runs here, so the log is written in the exact shape kube-apiserver (1.28-1.30)
writes with the log backend: one audit.k8s.io/v1 Event per line, the fields and values
(stages, verbs, objectRef, responseStatus, the authorization annotations, a 101 for exec
upgrades, requestObject at Request level) as in recorded real logs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hullguard.cli.main import main
from tests.host.trees import APISERVER, base

T = "2026-12-01T10:00:00.000000Z"


def event(
    audit_id: str,
    verb: str,
    uri: str,
    user: str,
    *,
    stage: str = "ResponseComplete",
    code: int = 200,
    ref: dict[str, str] | None = None,
    ips: tuple[str, ...] = ("10.0.0.10",),
    body: dict[str, Any] | None = None,
    groups: tuple[str, ...] = ("system:authenticated",),
    decision: str = "allow",
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": "Request" if body else "Metadata",
        "auditID": audit_id,
        "stage": stage,
        "requestURI": uri,
        "verb": verb,
        "user": {"username": user, "groups": list(groups)},
        "sourceIPs": list(ips),
        "userAgent": "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350",
        "responseStatus": {"metadata": {}, "code": code},
        "requestReceivedTimestamp": T,
        "stageTimestamp": T,
        "annotations": {
            "authorization.k8s.io/decision": decision,
            "authorization.k8s.io/reason": 'RBAC: allowed by ClusterRoleBinding "x"',
        },
    }
    if ref is not None:
        doc["objectRef"] = {"apiVersion": "v1", **ref}
    if body is not None:
        doc["requestObject"] = body
    return doc


def pod(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {"name": name, "namespace": "web"},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], **spec},
    }


EXEC_URI = "/api/v1/namespaces/web/pods/shop-7d9f/exec?command=sh&command=-c&command=id&container=app&stdin=true&stdout=true&tty=true"


def audit_log(path: Path) -> Path:
    exec_ref = {"resource": "pods", "namespace": "web", "name": "shop-7d9f", "subresource": "exec"}
    events = [
        event("e1", "create", EXEC_URI, "alice", stage="RequestReceived", ref=exec_ref),
        event("e1", "create", EXEC_URI, "alice", stage="ResponseStarted", code=101, ref=exec_ref),
        event("e1", "create", EXEC_URI, "alice", code=101, ref=exec_ref),
        event(
            "s1",
            "get",
            "/api/v1/namespaces/web/secrets/db",
            "alice",
            ref={"resource": "secrets", "namespace": "web", "name": "db"},
        ),
        event(
            "s2",
            "get",
            "/api/v1/namespaces/web/secrets/db",
            "system:serviceaccount:kube-system:replicaset-controller",
            ref={"resource": "secrets", "namespace": "web", "name": "db"},
        ),
        event(
            "s3", "list", "/api/v1/secrets", "bob", code=403, decision="forbid", ref={"resource": "secrets"}
        ),
        event(
            "p1",
            "create",
            "/api/v1/namespaces/web/pods",
            "ci",
            ref={"resource": "pods", "namespace": "web", "name": "debug"},
            body=pod(
                "debug",
                containers=[{"name": "x", "image": "busybox", "securityContext": {"privileged": True}}],
            ),
        ),
        event(
            "p2",
            "create",
            "/api/v1/namespaces/web/pods",
            "ci",
            ref={"resource": "pods", "namespace": "web", "name": "plain"},
            body=pod("plain"),
        ),
        event(
            "p3",
            "create",
            "/api/v1/namespaces/web/pods",
            "ci",
            ref={"resource": "pods", "namespace": "web", "name": "net"},
            body=pod("net", hostNetwork=True),
        ),
        event(
            "b1",
            "create",
            "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
            "mallory",
            ref={
                "resource": "clusterrolebindings",
                "name": "backdoor",
                "apiGroup": "rbac.authorization.k8s.io",
            },
            body={
                "kind": "ClusterRoleBinding",
                "metadata": {"name": "backdoor"},
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "ClusterRole",
                    "name": "cluster-admin",
                },
                "subjects": [{"kind": "User", "name": "mallory"}],
            },
        ),
        event(
            "a1",
            "get",
            "/api/v1/namespaces",
            "system:anonymous",
            groups=("system:unauthenticated",),
            ips=("198.51.100.4",),
            ref={"resource": "namespaces"},
        ),
        event("a2", "get", "/healthz", "system:anonymous", groups=("system:unauthenticated",)),
        event(
            "t1",
            "list",
            "/api/v1/pods",
            "system:serviceaccount:web:shop",
            ips=("203.0.113.7",),
            ref={"resource": "pods"},
        ),
        event(
            "t2",
            "list",
            "/api/v1/pods",
            "system:serviceaccount:web:shop",
            ips=("10.244.1.5",),
            ref={"resource": "pods"},
        ),
        event(
            "c1",
            "delete",
            "/api/v1/namespaces/kube-system/configmaps/audit-policy",
            "mallory",
            ref={"resource": "configmaps", "namespace": "kube-system", "name": "audit-policy"},
        ),
        event(
            "e2",
            "create",
            EXEC_URI.replace("shop-7d9f", "debug"),
            "ci",
            stage="ResponseStarted",
            code=101,
            ref={"resource": "pods", "namespace": "web", "name": "debug", "subresource": "exec"},
        ),
    ]
    lines = [json.dumps(e) for e in events]
    lines.insert(5, '{"kind": "Event", "auditID": "broken"')
    path.write_text("\n".join(lines) + "\n")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    main(["audit-log", *args, "-f", "json"])
    return json.loads(capsys.readouterr().out)


def test_rules_over_a_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = audit_log(tmp_path / "audit.log")
    report = run(capsys, str(log))
    got = sorted((f["id"], int(f["location"]["path"].rsplit(":", 1)[-1])) for f in report["findings"])
    assert got == [
        ("HG-AUDIT-001", 2),  # once per audit ID, from its ResponseStarted line
        ("HG-AUDIT-001", 17),
        ("HG-AUDIT-002", 4),
        ("HG-AUDIT-003", 8),
        ("HG-AUDIT-003", 10),
        ("HG-AUDIT-004", 11),
        ("HG-AUDIT-005", 12),
        ("HG-AUDIT-006", 14),
        ("HG-AUDIT-007", 11),
        ("HG-AUDIT-008", 16),
        ("HG-AUDIT-009", 17),  # the pod exec'd into was created privileged at line 8
    ]
    by_id = {f["id"]: f for f in report["findings"]}
    exec_alert = by_id["HG-AUDIT-001"]
    assert exec_alert["kind"] == "runtime"
    assert exec_alert["output"] == "alice ran exec in pod web/shop-7d9f (command: sh -c id; from 10.0.0.10)"
    assert (
        by_id["HG-AUDIT-004"]["output"]
        == "mallory bound mallory to cluster-admin (clusterrolebindings backdoor)"
    )
    assert by_id["HG-AUDIT-006"]["output"].startswith("system:serviceaccount:web:shop used from 203.0.113.7")
    assert report["issues"] == [
        {
            "stage": "audit-log",
            "path": f"{log}:6",
            "message": "not JSON: Expecting ',' delimiter: line 1 column 38 (char 37)",
        }
    ]


def test_cluster_cidr_and_severity_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = audit_log(tmp_path / "audit.log")
    ids = {
        f["id"]
        for f in run(capsys, str(log), "--cluster-cidr", "203.0.113.0/24", "--cluster-cidr", "10.0.0.0/8")[
            "findings"
        ]
    }
    assert "HG-AUDIT-006" not in ids and "HG-AUDIT-001" in ids
    assert {f["id"] for f in run(capsys, str(log), "-s", "CRITICAL")["findings"]} == {
        "HG-AUDIT-004",
        "HG-AUDIT-009",
    }
    assert main(["audit-log", str(log), "--cluster-cidr", "not-a-cidr"]) == 2


def test_api_server_audit_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = audit_log(tmp_path / "audit.log")
    tree = base(tmp_path / "node")
    tree.file("/etc/kubernetes/manifests/kube-apiserver.yaml", APISERVER, mode=0o600)
    report = run(capsys, str(log), "--root", str(tmp_path / "node"))
    kube = sorted(f["id"] for f in report["findings"] if f["id"].startswith("HG-KUBE"))
    assert kube == ["HG-KUBE-1.2.16", "HG-KUBE-1.2.17", "HG-KUBE-1.2.18", "HG-KUBE-1.2.19", "HG-KUBE-3.2.1"]
    (tmp_path / "empty").mkdir()
    empty = run(capsys, str(log), "--root", str(tmp_path / "empty"))
    assert empty["findings"] and not any(f["id"].startswith("HG-KUBE") for f in empty["findings"])
    assert {
        "stage": "audit-log",
        "path": str(tmp_path / "empty"),
        "message": "no kube-apiserver found: its audit settings were not checked",
    } in empty["issues"]
    assert main(["audit-log", str(log), "--root", str(tmp_path / "absent")]) == 2


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["audit-log", str(tmp_path / "absent.log")]) == 2


def test_every_field_falco_k8s_audit_rules_use_is_extracted(shared_dir: Path) -> None:
    """So Falco's k8saudit rules can run on these events once the Falco-language engine is wired."""
    import re

    from hullguard.host.auditlog.event import parse_event
    from hullguard.host.auditlog.fields import FIELDS, field

    text = (shared_dir / "conformance/falco-rules/k8s_audit_rules.yaml").read_text()
    used = {m for m in re.findall(r"\bka\.[a-zA-Z_.]+[a-zA-Z_]", text)} - {"ka.uri.param"}
    assert used and used <= set(FIELDS), sorted(used - set(FIELDS))
    role = event(
        "r1",
        "create",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
        "ci",
        ref={"resource": "clusterroles", "name": "exec-all"},
        body={
            "kind": "ClusterRole",
            "metadata": {"name": "exec-all"},
            "rules": [{"apiGroups": [""], "resources": ["pods/exec", "*"], "verbs": ["create", "*"]}],
        },
    )
    e = parse_event(role, "x:1")
    assert field(e, "ka.req.role.rules.resources") == ("pods/exec", "*")
    assert field(e, "ka.req.role.rules.verbs") == ("create", "*")
    created = parse_event(
        event(
            "p9",
            "create",
            "/api/v1/namespaces/web/pods",
            "ci",
            ref={"resource": "pods"},
            body=pod(
                "x", containers=[{"name": "a", "image": "registry:5000/team/app:1.2@sha256:" + "0" * 64}]
            ),
        ),
        "x:2",
    )
    assert field(created, "ka.req.pod.containers.image.repository") == ("registry:5000/team/app",)


def test_falco_k8s_audit_rules_run_through_the_event_engine(
    shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Falco's own k8s_audit_rules.yaml, loaded by the runtime monitor's engine over the same log."""
    rules = shared_dir / "conformance" / "falco-rules" / "k8s_audit_rules.yaml"
    log = audit_log(tmp_path / "audit.log")
    assert main(["audit-log", str(log), "--rules", str(rules), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not [i for i in report["issues"] if "not loaded" in i["message"]]  # all 48 rules load
    falco = {(f["id"], f.get("location", {}).get("object", {}).get("name")) for f in report["findings"]
             if f["id"] and not f["id"].startswith("HG-")}  # fmt: skip
    assert ("Attach/Exec Pod", "shop-7d9f") in falco
    assert ("Create Privileged Pod", "debug") in falco
    exec_alert = next(f for f in report["findings"] if f["id"] == "Attach/Exec Pod")
    assert "command=sh -c id" in exec_alert["output"] and exec_alert["source"] == "k8s_audit"
    assert {"HG-AUDIT-001", "HG-AUDIT-003"} <= {f["id"] for f in report["findings"]}  # native rules too


def test_a_rule_file_with_syscall_rules_says_which_did_not_load(
    shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = shared_dir / "conformance" / "falco-rules" / "rules" / "falco_rules.yaml"
    log = audit_log(tmp_path / "audit.log")
    assert main(["audit-log", str(log), "--rules", str(rules), "--format", "json"]) == 0
    issues = [i["message"] for i in json.loads(capsys.readouterr().out)["issues"]]
    assert any("Terminal shell in container" in m and "not loaded" in m for m in issues)
