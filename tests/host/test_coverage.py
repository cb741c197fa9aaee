"""The catalogues against the peers' check indexes, and docs/host-coverage.md against both."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from hullguard.cli.main import main
from hullguard.host.catalogue import BENCHMARKS, Benchmark, all_controls, controls
from hullguard.host.containers.checks import CHECKS
from hullguard.host.custom import CUSTOM
from hullguard.host.ops import OPS

DOC = Path(__file__).resolve().parents[2] / "docs" / "host-coverage.md"
INDEX = "conformance/cis-docker-kube-bench"


def _words(text: str) -> str:
    text = re.sub(r"\((Automated|Manual|Scored|Not Scored)\)", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _same_title(ours: str, theirs: str) -> bool:
    return difflib.SequenceMatcher(None, _words(ours), _words(theirs)).ratio() > 0.85


def doc_rows() -> dict[str, str]:
    rows: dict[str, str] = {}
    section = ""
    for line in DOC.read_text().splitlines():
        if line.startswith("## "):
            section = line
        elif line.startswith("| ") and not line.startswith("| CIS"):
            rows[f"{'kube' if 'Kubernetes' in section else 'docker'}:{line.split('|')[1].strip()}"] = line
    return rows


def test_docker_bench_controls(shared_dir: Path) -> None:
    index = json.loads((shared_dir / INDEX / "docker-bench-security_checks.json").read_text())
    ours = {c.cis: c for c in controls(Benchmark.CIS_DOCKER)}
    rows = doc_rows()
    checks = [c for c in index["checks"] if c["kind"] == "check" and c["id"]]
    assert len(checks) > 100
    for check in checks:
        cis = check["id"]
        assert f"docker:{cis}" in rows, f"docs/host-coverage.md has no row for docker-bench {cis}"
        if cis.split(".")[0] not in ("1", "2", "3", "5"):
            continue
        control = ours.get(cis)
        assert control is not None, f"docker-bench {cis} is not in cis-docker.yaml"
        assert _same_title(control.title, check["description"]), (cis, control.title, check["description"])
        if check["automated"]:
            assert control.checks, f"docker-bench {cis} is automated, {control.id} has no check"
    assert set(ours) <= {c["id"] for c in checks}


def test_kube_bench_controls(shared_dir: Path) -> None:
    index = json.loads((shared_dir / INDEX / "kube-bench_checks.json").read_text())["checks"]["cis-1.12"]
    ours = {c.cis: c for c in controls(Benchmark.CIS_KUBERNETES)}
    rows = doc_rows()
    assert {c["id"] for c in index} == set(ours)
    for check in index:
        control = ours[check["id"]]
        assert f"kube:{check['id']}" in rows
        assert _same_title(control.title, check["text"]), (check["id"], control.title, check["text"])
        manual = "(Manual)" in check["text"]
        assert control.automated is not manual, check["id"]
        if not manual:
            assert control.checks, f"kube-bench {check['id']} is automated, {control.id} has no check"


@pytest.mark.parametrize("benchmark", BENCHMARKS)
def test_catalogue_entries_are_whole(benchmark: Benchmark) -> None:
    components = {
        "docker",
        "kubelet",
        "kube-proxy",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "etcd",
    }
    for c in controls(benchmark):
        assert (c.remediation and c.title and c.section) or benchmark in (
            Benchmark.HOST,
            Benchmark.AUDIT_LOG,
        ), c.id
        assert c.checks or c.manual, c.id
        for spec in c.checks:
            ((kind, body),) = spec.items()
            match kind:
                case "setting":
                    assert body["component"] in components and body.get("op", "set") in OPS, c.id
                case "file":
                    assert {"owner", "mode"} & set(body), c.id
                case "custom":
                    assert body in CUSTOM, c.id
                case "container":
                    assert body in CHECKS or body == "cgroup-limits", c.id
                case "sysctl" | "audit" | "event" | "daemon":
                    pass
                case _:
                    pytest.fail(f"{c.id}: unknown check kind {kind}")


def test_rules_list_names_the_peers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "list", "--format", "json", "--target", "host"]) == 0
    listed: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    by_id = {r["id"]: r for r in listed}
    assert by_id["HG-DOCKER-2.2"]["peers"] == {"docker-bench": "2.2"}
    assert by_id["HG-KUBE-4.2.1"]["peers"] == {"kube-bench": "4.2.1"}
    assert by_id["HG-KUBE-5.1.1"]["benchmark"]["automated"] is False
    assert by_id["HG-KUBE-5.1.1"]["benchmark"]["manual"]
    assert by_id["HG-DOCKER-3.15"]["benchmark"]["reads"] == ["/var/run/docker.sock"]
    assert len(listed) == sum(1 for c in all_controls() if c.benchmark is not Benchmark.AUDIT_LOG)


def test_settings_read_what_kube_bench_reads(shared_dir: Path) -> None:
    """Each kube-bench test item on a `--flag` (with its config-file jsonpath and operator) is a
    `setting` check of ours on the same flag, the same config path and a compatible operator."""
    index = json.loads((shared_dir / INDEX / "kube-bench_checks.json").read_text())["checks"]["cis-1.12"]
    ours = {c.cis: c for c in controls(Benchmark.CIS_KUBERNETES)}
    compatible = {
        "eq": {"eq", "in", "empty"},
        "noteq": {"noteq", "notin", "nothave"},
        "has": {"has"},
        "nothave": {"nothave"},
        "gte": {"gte"},
        "valid_elements": {"valid_elements"},
    }
    compared = 0
    for check in index:
        items = (check.get("tests") or {}).get("test_items") or []
        settings = [s["setting"] for s in ours[check["id"]].checks if "setting" in s]
        for item in items:
            flag = item.get("flag") or ""
            if not flag.startswith("--") or not settings:
                continue
            mine = [s for s in settings if s.get("flag") == flag]
            assert mine, f"{check['id']}: kube-bench tests {flag}, we do not"
            path = (item.get("path") or "").strip("{}").lstrip(".")
            if path and "[" not in path:
                assert any(s.get("config") in (path, path.rsplit(".", 1)[0]) for s in mine), (
                    check["id"],
                    path,
                )
            op = (item.get("compare") or {}).get("op")
            if op:
                value = str((item.get("compare") or {}).get("value", ""))
                allowed = compatible[op] | ({"eq"} if op == "noteq" and value in ("true", "false") else set())
                assert any(s.get("op", "set") in allowed for s in mine), (check["id"], op, mine)
            compared += 1
    assert compared >= 60
