"""A lighter install: without the extras, scanning works, `--help` lists every command, and a
feature whose extra is missing says in one line which extra to install (exit 2)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from hullguard.cli.extras import EXTRAS

ROOT = Path(__file__).resolve().parents[2]
BLOCKED = sorted({module for module, _, _ in EXTRAS})
# Runs hullguard as an install without any extra would: importing those modules fails.
RUNNER = f"""
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {BLOCKED!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, Block())
from hullguard.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def bare(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUNNER, *argv], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text("FROM debian:12\nUSER 1000\n")
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: x}]\n"
    )
    (tmp_path / "policy.yaml").write_text("kind: ValidatingAdmissionPolicy\n")
    return tmp_path


def test_scanning_needs_no_extra(project: Path) -> None:
    result = bare("config", str(project / "Dockerfile"), "-f", "json")
    assert result.returncode == 0, result.stderr
    result = bare("fs", str(project), "-f", "cyclonedx", "--offline", "--cache-dir", str(project / "c"))
    assert result.returncode == 0, result.stderr
    assert '"bomFormat": "CycloneDX"' in result.stdout


def test_help_lists_every_command_and_what_the_missing_ones_need() -> None:
    result = bare("--help")
    assert result.returncode == 0, result.stderr
    assert "image" in result.stdout and "sign" in result.stdout
    assert "(needs hullguard[sign])" in result.stdout


@pytest.mark.parametrize(
    ("argv", "extra"),
    [
        (("sign", "reg.example/a:1", "--key", "k.key"), "sign"),
        (("verify", "reg.example/a:1", "--key", "k.pub"), "sign"),
        (("key", "generate"), "sign"),
        (("config", "{project}", "--policy", "{project}/policy.yaml"), "policy"),
        (("config", "{project}", "--fix"), "fix"),
        (("config", "{project}", "-f", "spdx-json"), "spdx"),
    ],
)
def test_a_missing_extra_is_one_line_naming_it(project: Path, argv: tuple[str, ...], extra: str) -> None:
    result = bare(*(a.format(project=project) for a in argv))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"pip install 'hullguard[{extra}]'" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_the_extras_named_in_messages_exist_and_dev_pulls_them_all() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    named = {extra for _, extra, _ in EXTRAS}
    assert named <= set(extras)
    assert extras["all"] == [f"hullguard[{','.join(sorted(named, key=list(extras).index))}]"]
    assert "hullguard[all]" in extras["dev"]
    core = " ".join(project["dependencies"]).lower()
    assert not any(heavy in core for heavy in ("sigstore", "cel-python", "spdx-tools", "ruamel"))
