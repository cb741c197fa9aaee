"""Compose `extends`: merge rules, findings at the inheriting service, cycles and confinement."""

from __future__ import annotations

import os
import time
from pathlib import Path

from hullguard.rules.compose.merge import merge_service
from hullguard.rules.engine import ConfigOptions, ConfigResult, scan_config


def _scan(root: Path, files: dict[str, str]) -> ConfigResult:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return scan_config(root, ConfigOptions())


def _found(result: ConfigResult, rule: str) -> list[tuple[str | None, int | None, str]]:
    return sorted(
        (f.location.path, f.location.start_line, f.message) for f in result.findings if f.id == rule
    )


def test_merge_rules() -> None:
    base = {
        "image": "a:1",
        "command": ["run", "base"],
        "environment": ["A=1", "B=2"],
        "cap_add": ["NET_ADMIN"],
        "volumes": ["/srv:/data", "/logs:/logs"],
        "deploy": {"resources": {"limits": {"cpus": "1", "memory": "1g"}}},
        "healthcheck": {"test": ["CMD", "true"], "interval": "5s"},
    }
    own = {
        "command": ["run"],
        "environment": {"B": "3"},
        "cap_add": ["SYS_TIME", "NET_ADMIN"],
        "volumes": ["/other:/data"],
        "deploy": {"resources": {"limits": {"memory": "2g"}}},
        "healthcheck": {"test": ["CMD", "false"]},
    }
    assert merge_service(base, own) == {
        "image": "a:1",
        "command": ["run"],
        "environment": {"B": "3", "A": "1"},
        "cap_add": ["SYS_TIME", "NET_ADMIN"],
        "volumes": ["/other:/data", "/logs:/logs"],
        "deploy": {"resources": {"limits": {"memory": "2g", "cpus": "1"}}},
        "healthcheck": {"test": ["CMD", "false"], "interval": "5s"},
    }
    assert merge_service({"environment": {"A": "1"}}, {"environment": ["B=2"]}) == {
        "environment": ["B=2", "A=1"]
    }


def test_inherited_settings_are_reported_at_the_inheriting_service(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        {
            "compose.yaml": "services:\n"
            "  web:\n"
            "    image: web:1.0\n"
            "    cap_add: [SYS_TIME]\n"
            "    extends:\n"
            "      file: shared/common.yml\n"
            "      service: hardened\n",
            "shared/common.yml": "services:\n"
            "  hardened:\n"
            "    extends: {file: ../more/base.yml, service: root}\n"
            "    cap_add: [NET_ADMIN]\n",
            "more/base.yml": "services:\n  root:\n    privileged: true\n    network_mode: host\n",
        },
    )
    assert result.issues == []
    assert _found(result, "HG-DC-001") == [("compose.yaml", 5, "service web is privileged")]
    assert _found(result, "HG-DC-002") == [
        ("compose.yaml", 5, "service web shares the host's network namespace")
    ]
    # the service's own cap_add keeps its line; the merged list names the inherited one too
    assert _found(result, "HG-DC-004") == [
        ("compose.yaml", 4, "service web adds capabilities SYS_TIME, NET_ADMIN")
    ]


def test_the_base_file_is_interpolated_with_the_projects_env(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        {
            ".env": "MODE=host\n",
            "compose.yaml": "services:\n  web:\n    image: w:1\n    extends: {file: base.yml, service: b}\n",
            "base.yml": "services:\n  b:\n    pid: ${MODE}\n",
        },
    )
    assert _found(result, "HG-DC-002") == [("compose.yaml", 4, "service web shares the host's pid namespace")]


def test_cycles_are_issues_not_loops(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        {
            "compose.yaml": "services:\n"
            "  a:\n    image: w:1\n    extends: b\n    privileged: true\n"
            "  b:\n    image: w:1\n    extends: {file: other.yml, service: c}\n",
            "other.yml": "services:\n  c:\n    extends: {file: compose.yaml, service: a}\n",
        },
    )
    cycles = [i.message for i in result.issues if "extends cycle" in i.message]
    assert cycles and all(m.endswith("; not followed") for m in cycles)
    # each service is resolved up to the link that would close the cycle: b reaches a's own settings
    assert [s for _, _, s in _found(result, "HG-DC-001")] == [
        "service a is privileged",
        "service b is privileged",
    ]


def test_extends_outside_the_scanned_folder_is_not_read(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (tmp_path / "outside.yml").write_text("services:\n  b:\n    privileged: true\n")
    project.mkdir()
    os.symlink(tmp_path / "outside.yml", project / "link.yml")
    result = _scan(
        project,
        {
            "compose.yaml": "services:\n"
            "  web:\n    image: w:1\n    extends: {file: ../outside.yml, service: b}\n"
            "  api:\n    image: w:1\n    extends: {file: link.yml, service: b}\n",
        },
    )
    assert _found(result, "HG-DC-001") == []
    messages = sorted(i.message for i in result.issues)
    assert messages == [
        "compose.yaml:4: extends file ../outside.yml is outside the scanned folder; not read",
        "compose.yaml:7: extends file link.yml is outside the scanned folder; not read",
    ]


def test_missing_files_and_services_are_issues(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        {
            "compose.yaml": "services:\n"
            "  web:\n    image: w:1\n    extends: {file: nowhere.yml, service: b}\n"
            "  api:\n    image: w:1\n    extends: ghost\n"
            "  bad:\n    image: w:1\n    extends: [1, 2]\n"
            "  broken:\n    image: w:1\n    extends: {file: broken.yml, service: x}\n",
            "broken.yml": "services: [\n",
        },
    )
    messages = sorted(i.message for i in result.issues if i.path == "compose.yaml")
    assert messages[0] == "compose.yaml:10: extends must be a service name or {service, file}"
    assert messages[1].startswith("compose.yaml:13: extends file broken.yml: broken.yml:2: not valid YAML")
    assert messages[2:] == [
        "compose.yaml:4: extends file nowhere.yml not found",
        "compose.yaml:7: extends service 'ghost', which compose.yaml does not define",
    ]
    assert {f.id for f in result.findings} >= {"HG-DC-005"}  # the scan went on


def test_alias_bombs_stay_cheap_through_interpolation_and_extends(tmp_path: Path) -> None:
    levels = ['x0: &a0 {k: "$X"}'] + [f"x{i}: &a{i} {{a: *a{i - 1}, b: *a{i - 1}}}" for i in range(1, 24)]
    bomb = "\n".join("      " + line for line in levels)
    text = (
        "services:\n  base:\n    image: w:1\n    deploy:\n"
        + bomb
        + "\n  web:\n    extends: base\n    deploy:\n"
        + bomb.replace("&a", "&b").replace("*a", "*b")
        + "\n"
    )
    started = time.monotonic()
    result = _scan(tmp_path, {"compose.yaml": text})
    assert time.monotonic() - started < 5  # 2**23 nodes if aliases were expanded
    assert [i.message for i in result.issues] == [
        "compose.yaml:5: variable X is not set; read as an empty string",
        "compose.yaml:32: variable X is not set; read as an empty string",
    ]
