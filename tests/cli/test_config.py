"""`hullguard config` and `hullguard rules list` end to end: the classic example, PSS levels,
suppressions, templates, bad input, policies and the real-world corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.cli.main import main

DOCKERFILE = """\
FROM alpine:3.14
RUN apk update && apk upgrade && adduser -D appuser && rm -rf /var/cache/apk/*
WORKDIR /app
COPY --chown=appuser:appuser . .
USER appuser
HEALTHCHECK --interval=30s --timeout=3s CMD wget --no-verbose --tries=1 --spider http://localhost:8080/health || exit 1
EXPOSE 8080
ENTRYPOINT ["/app/entrypoint.sh"]
"""
POD = """\
apiVersion: v1
kind: Pod
metadata: {name: secure-app}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000}
  containers:
  - name: app
    image: secure-app:latest
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
    resources: {limits: {memory: "256Mi", cpu: "500m"}}
"""


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    assert main(["config", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def classic(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "pod.yaml").write_text(POD)
    return tmp_path


def test_the_classic_example(classic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, str(classic))
    found = {(f["id"], f["location"]["path"], f["location"]["start_line"]) for f in report["findings"]}
    assert ("HG-DF-006", "Dockerfile", 1) in found  # Alpine 3.14 is end of life
    assert ("HG-DF-005", "Dockerfile", 1) in found  # base not pinned by digest
    assert ("HG-K8S-006", "pod.yaml", 8) in found  # :latest
    assert ("HG-K8S-001", "pod.yaml", 9) in found  # no read-only root filesystem
    assert ("HG-PSS-019", "pod.yaml", 9) in found  # no seccomp profile: restricted denies
    assert ("HG-K8S-002", "pod.yaml", 12) in found and ("HG-K8S-004", "pod.yaml", 12) in found  # no requests
    ids = {f["id"] for f in report["findings"]}
    assert not ids & {"HG-DF-001", "HG-DF-002", "HG-PSS-017", "HG-PSS-018", "HG-DC-005"}  # never claims root
    assert all("root" not in f["message"] for f in report["findings"])
    assert report["artifact"]["type"] == "config" and report["issues"] == []


def test_only_pss_runs_only_that_levels_controls(classic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    restricted = run_json(capsys, str(classic), "--pss", "restricted", "--only-pss")
    assert [f["id"] for f in restricted["findings"]] == ["HG-PSS-019"]
    assert (
        "(restricted control seccompProfile_restricted, policy v1.37)" in restricted["findings"][0]["message"]
    )
    assert run_json(capsys, str(classic), "--pss", "baseline", "--only-pss")["findings"] == []
    # Before v1.19 restricted had no seccomp control.
    only = ("--pss", "restricted", "--pss-version", "v1.18", "--only-pss")
    assert run_json(capsys, str(classic), *only)["findings"] == []


def test_pss_adds_a_level_and_hides_no_other_rule(classic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--pss decides the PSS checks' level; Dockerfile and other Kubernetes rules still run."""
    everything = {f["id"] for f in run_json(capsys, str(classic))["findings"]}
    baseline = {f["id"] for f in run_json(capsys, str(classic), "--pss", "baseline")["findings"]}
    assert {"HG-DF-005", "HG-DF-006", "HG-K8S-001", "HG-K8S-006"} <= baseline
    assert "HG-PSS-019" in everything and "HG-PSS-019" not in baseline  # seccomp is a restricted control
    assert baseline == everything - {"HG-PSS-019"}
    restricted = {f["id"] for f in run_json(capsys, str(classic), "--pss", "restricted")["findings"]}
    assert restricted == everything


def test_inline_ignore_suppresses_only_that_rule(classic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = POD.replace(
        "    image: secure-app:latest\n",
        "    # hullguard:ignore=HG-K8S-006 pinned by the release job\n    image: secure-app:latest\n",
    )
    (classic / "pod.yaml").write_text(text)
    df = DOCKERFILE.replace(
        "FROM alpine", "# hullguard:ignore=HG-DF-006,HG-DF-005 upgrade tracked in OPS-1\nFROM alpine"
    )
    (classic / "Dockerfile").write_text(df)
    ids = {f["id"] for f in run_json(capsys, str(classic))["findings"]}
    assert "HG-K8S-006" not in ids and "HG-K8S-007" in ids
    assert "HG-DF-006" not in ids and "HG-DF-005" not in ids and "HG-DF-018" in ids


def test_templates_are_skipped_and_broken_files_are_issues(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart" / "templates" / "deploy.yaml").write_text(
        "kind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
    )
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: [\n")
    (tmp_path / "Containerfile").write_text("RUN echo no from\n")  # a fragment: linted, and told so
    (tmp_path / "Dockerfile").write_text("# nothing but a comment\n")
    (tmp_path / "compose.yaml").write_text("services:\n  db:\n    image: postgres:16\n    privileged: true\n")
    report = run_json(capsys, str(tmp_path))
    issues = {i["path"]: i["message"] for i in report["issues"]}
    assert issues["chart/templates/deploy.yaml"].startswith("skipped: a template")
    assert issues["broken.yaml"].startswith("broken.yaml:4: not valid YAML")
    assert "no instructions" in issues["Dockerfile"]
    assert {"HG-DC-001", "HG-DC-005"} <= {f["id"] for f in report["findings"]}
    assert ("HG-DF-072", "Containerfile") in {(f["id"], f["location"]["path"]) for f in report["findings"]}


def test_dockerfile_pattern(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "build.docker").write_text("FROM ubuntu:latest\n")
    assert run_json(capsys, str(tmp_path))["findings"] == []
    ids = {f["id"] for f in run_json(capsys, str(tmp_path), "--dockerfile-pattern", "*.docker")["findings"]}
    assert "HG-DF-004" in ids


def test_bad_usage_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", str(tmp_path / "missing")]) == 2
    assert main(["config", str(tmp_path), "--pss-version", "2.0"]) == 2
    assert "policy version" in capsys.readouterr().err


def test_exit_code_when_findings_remain(classic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", str(classic), "--exit-code", "5", "--severity", "HIGH"]) == 5
    assert main(["config", str(classic), "--exit-code", "5", "--severity", "CRITICAL"]) == 0


POLICY = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: require-team-label
  annotations: {hullguard.io/id: ORG-001, hullguard.io/severity: HIGH}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], resources: [pods]}
  variables:
  - name: images
    expression: "object.spec.containers.map(c, c.image)"
  validations:
  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    message: every pod needs a team label
  - expression: "variables.images.all(i, i.startsWith('registry.example.com/'))"
    messageExpression: "'images must come from registry.example.com, not ' + variables.images.join(', ')"
"""


def test_cel_policies(classic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    report = run_json(capsys, str(classic), "--policy", str(policy))
    mine = [f for f in report["findings"] if f["id"] == "ORG-001"]
    assert sorted(f["message"] for f in mine) == [
        "Pod secure-app: every pod needs a team label",
        "Pod secure-app: images must come from registry.example.com, not secure-app:latest",
    ]
    assert all(f["severity"] == "HIGH" and f["location"]["path"] == "pod.yaml" for f in mine)
    policy.write_text(POLICY.replace("'team' in", "'team' inn"))
    assert main(["config", str(classic), "--policy", str(policy)]) == 2
    assert "does not parse" in capsys.readouterr().err


def test_rules_list_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "list", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    by_id = {r["id"]: r for r in rules}
    assert len(rules) >= 110
    assert by_id["HG-DF-002"]["peers"] == {
        "hadolint": "DL3002",
        "trivy": "AVD-DS-0002",
        "checkov": "CKV_DOCKER_8",
    }
    assert by_id["HG-PSS-019"]["pss"] == {"level": "restricted", "control": "seccompProfile_restricted"}
    assert main(["rules", "list", "--format", "markdown", "--target", "compose"]) == 0
    text = capsys.readouterr().out
    assert "## compose" in text and "### HG-DC-001: Privileged service" in text and "HG-DF-" not in text


@pytest.mark.conformance
def test_real_world_corpus_never_crashes(shared_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, str(shared_dir / "corpus"))
    paths = {i["path"] for i in report["issues"]}
    assert "dockerfiles/Dockerfile-linux.template" in paths
    assert all(i["message"].startswith("skipped") or "not valid" in i["message"] for i in report["issues"])
    counts: dict[str, int] = {}
    for f in report["findings"]:
        counts[f["id"]] = counts.get(f["id"], 0) + 1
        assert f["location"]["start_line"] >= 1
    assert counts["HG-PSS-019"] > 50 and counts["HG-DF-001"] > 20


def test_json_manifests_have_lines_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pod.json").write_text(
        '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "p"},\n  "spec": {\n'
        '    "containers": [\n      {"name": "a", "image": "nginx", "securityContext": {"privileged": true}}\n    ]\n  }\n}\n'
    )
    (tmp_path / "package.json").write_text('{"name": "not-a-manifest"}\n')
    report = run_json(capsys, str(tmp_path), "--pss", "baseline", "--only-pss")
    assert [(f["id"], f["location"]["path"], f["location"]["start_line"]) for f in report["findings"]] == [
        ("HG-PSS-007", "pod.json", 7)
    ]


def test_fs_with_the_config_scanner(classic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fs", str(classic), "--scanners", "config", "--format", "json"]) == 0
    ids = {f["id"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert {"HG-DF-006", "HG-PSS-019"} <= ids


def test_links_out_of_the_tree_are_not_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text("FROM ubuntu:latest\n")
    scanned = tmp_path / "repo"
    scanned.mkdir()
    (scanned / "Dockerfile").symlink_to(outside / "Dockerfile")
    (scanned / "linked-dir").symlink_to(outside, target_is_directory=True)
    assert run_json(capsys, str(scanned))["findings"] == []


def test_alias_bombs_and_deep_nesting_do_not_hang_or_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 12):
        bomb.append(f"{chr(97 + n)}: &{chr(97 + n)} [" + ", ".join([f"*{chr(96 + n)}"] * 9) + "]")
    (tmp_path / "bomb.yaml").write_text("\n".join(bomb) + "\n")
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    report = run_json(capsys, str(tmp_path))
    assert report["findings"] == []
    assert [i["path"] for i in report["issues"]] in ([], ["deep.yaml"])


def test_docs_rules_md_is_generated_from_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/rules.md is `hullguard rules list --format markdown`; regenerate it when rules change."""
    assert main(["rules", "list", "--format", "markdown"]) == 0
    docs = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    assert docs.read_text() == capsys.readouterr().out


def test_only_compose_like_files_get_compose_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app-config.yaml").write_text("services:\n  billing:\n    url: https://billing.internal\n")
    (tmp_path / "stack.yml").write_text("services:\n  web:\n    build: .\n    privileged: true\n")
    ids = [(f["id"], f["location"]["path"]) for f in run_json(capsys, str(tmp_path))["findings"]]
    assert ("HG-DC-001", "stack.yml") in ids
    assert all(path == "stack.yml" for _, path in ids)
