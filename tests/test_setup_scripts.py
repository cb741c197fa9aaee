"""The set-up weight a new user meets: scripts/demo installs only what the demo needs and
says what it does; scripts/test installs the rest; the README lists exactly that."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.support.images import BuiltImage

ROOT = Path(__file__).resolve().parents[1]


def _array(name: str) -> list[str]:
    text = (ROOT / "scripts/setup").read_text()
    match = re.search(rf"^{name}=\(([^)]*)\)", text, re.MULTILINE)
    assert match, name
    return match.group(1).split()


def test_the_demo_installs_only_what_it_needs_and_the_readme_says_exactly_what() -> None:
    demo = _array("DEMO_PACKAGES")
    tests = _array("APT_PACKAGES")
    assert demo == ["debootstrap", "umoci", "skopeo", "npm"]
    assert not {"golang-go", "rustc", "podman", "rpm", "docker-registry"} & set(demo)
    assert "scripts/setup --demo" in (ROOT / "scripts/demo").read_text()
    readme = (ROOT / "README.md").read_text()
    demo_row = next(line for line in readme.splitlines() if line.startswith("| `scripts/demo`"))
    test_row = next(line for line in readme.splitlines() if line.startswith("| `scripts/test`"))
    assert set(re.findall(r"`([a-z0-9.-]+)`", demo_row.split("|")[2])) == set(demo)
    assert set(re.findall(r"`([a-z0-9.-]+)`", test_row.split("|")[2])) == set(tests)


@pytest.mark.integration
def test_a_second_demo_run_installs_nothing_and_builds_nothing(demo_image: BuiltImage, tmp_path: Path) -> None:
    """The demo image is cached (the fixture built it) and the venv is set up: the demo says
    neither "installing" nor "building", and scans."""
    env = {**os.environ, "HULLGUARD_CACHE_DIR": str(tmp_path)}
    run = subprocess.run(
        [str(ROOT / "scripts/demo"), "--format", "json", "--scanners", "", "-q"],
        capture_output=True, text=True, timeout=600, env=env, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "building the demo image" not in run.stderr
    second = subprocess.run(
        [str(ROOT / "scripts/demo"), "--format", "json", "--scanners", "", "-q"],
        capture_output=True, text=True, timeout=600, env=env, check=False,
    )  # fmt: skip
    assert second.returncode == 0 and second.stderr == "", second.stderr
    assert '"artifact"' in second.stdout
