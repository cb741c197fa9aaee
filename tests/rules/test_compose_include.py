"""Compose `include`: included services are checked at their own file and lines, each with its
own `.env`; confinement, cycles and conflicts are issues."""

from __future__ import annotations

from pathlib import Path

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


def test_included_services_are_checked_with_their_own_env(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        {
            "compose.yaml": "include:\n"
            "  - ${PART:-parts}/db.yml\n"
            "  - path: parts/cache.yml\n"
            "    env_file: cache.env\n"
            "services:\n  web:\n    image: w:1\n",
            ".env": "MODE=bridge\n",
            # db.yml (not a compose-like name: not scanned on its own) reads parts/.env
            "parts/db.yml": "services:\n  db:\n    network_mode: ${MODE}\n",
            "parts/.env": "MODE=host\n",
            "parts/cache.yml": "services:\n  cache:\n    privileged: ${PRIV}\n",
            "cache.env": "PRIV=yes\n",
        },
    )
    assert result.issues == []
    assert _found(result, "HG-DC-002") == [
        ("parts/db.yml", 3, "service db shares the host's network namespace")
    ]
    assert _found(result, "HG-DC-001") == [("parts/cache.yml", 3, "service cache is privileged")]


def test_a_file_both_included_and_scanned_is_reported_once(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        {
            "compose.yaml": "include: [compose.db.yaml]\nservices:\n  web:\n    image: w:1\n",
            "compose.db.yaml": "services:\n  db:\n    image: d:1\n    privileged: true\n",
        },
    )
    assert _found(result, "HG-DC-001") == [("compose.db.yaml", 4, "service db is privileged")]


def test_include_problems_are_issues(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "outside.yml").write_text("services:\n  o:\n    privileged: true\n")
    (tmp_path / "outside.env").write_text("SECRET=1\n")
    result = _scan(
        project,
        {
            "compose.yaml": "include:\n"
            "  - ../outside.yml\n"
            "  - missing.yml\n"
            "  - loop.yml\n"
            "  - twin.yml\n"
            "  - {path: [1]}\n"
            "  - path: twin2.yml\n"
            "    env_file: ../outside.env\n"
            "services:\n  web:\n    image: w:1\n",
            "loop.yml": "include: [compose.yaml]\nservices:\n  l:\n    image: w:1\n",
            "twin.yml": "services:\n  web:\n    image: w:2\n    privileged: true\n",
            "twin2.yml": "services:\n  t2:\n    image: w:1\n",
        },
    )
    assert sorted(i.message for i in result.issues) == [
        "compose.yaml:2: include ../outside.yml is outside the scanned folder; not read",
        "compose.yaml:3: include missing.yml not found",
        # loop.yml is scanned on its own too, and from there the cycle closes at compose.yaml
        "compose.yaml:4: include cycle loop.yml -> compose.yaml -> loop.yml; not followed",
        "compose.yaml:5: included service web conflicts with one defined already",
        "compose.yaml:6: include must be a path or {path, env_file, project_directory}",
        "compose.yaml:7: env file ../outside.env is outside the scanned folder; not read",
        "loop.yml:1: include cycle compose.yaml -> loop.yml -> compose.yaml; not followed",
    ]
    assert _found(result, "HG-DC-001") == [("twin.yml", 4, "service web is privileged")]  # scanned alone only


HARDENED = (
    "services:\n"
    "  web:\n"
    "    image: registry.example.com/web:1.4.2\n"
    "    user: 10001:10001\n"
    "    read_only: true\n"
    "    security_opt: [no-new-privileges:true]\n"
    "    deploy: {resources: {limits: {cpus: '0.5', memory: 256M}}}\n"
)


def test_an_override_file_is_checked_merged_over_its_base(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        {
            "compose.yaml": HARDENED,
            "compose.override.yaml": "services:\n  web:\n    privileged: true\n    cap_add: [SYS_ADMIN]\n"
            "  extra:\n    image: e:1\n    network_mode: host\n",
        },
    )
    assert result.issues == []
    web = sorted(
        (f.location.path, f.location.start_line, f.id) for f in result.findings if "service web " in f.message
    )
    # the override's web is the base's hardened web plus two settings: no user/limits/read_only noise
    assert web == [("compose.override.yaml", 3, "HG-DC-001"), ("compose.override.yaml", 4, "HG-DC-004")]
    extra = {
        (f.location.path, f.location.start_line, f.id)
        for f in result.findings
        if "service extra " in f.message
    }
    assert ("compose.override.yaml", 7, "HG-DC-002") in extra  # a service only the override defines
    assert not any(f.location.path == "compose.yaml" for f in result.findings)  # the base alone is clean
