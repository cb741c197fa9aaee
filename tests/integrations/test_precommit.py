"""The pre-commit hooks of `.pre-commit-hooks.yaml`, run by the real `pre-commit` tool.

`pre-commit try-repo` installs hullguard from this checkout into its own environment, exactly as a
user's `.pre-commit-config.yaml` would, then runs the hook on the staged files of a throwaway
repository: a staged problem fails the hook, an unstaged one is not looked at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, require
from tests.support.fake_secrets import github_token

pytestmark = pytest.mark.integration

BAD_DOCKERFILE = "FROM debian:latest\nRUN apt-get update && apt-get install curl\n"
GOOD_DOCKERFILE = (
    "FROM debian:12.5@sha256:" + "a" * 64 + "\n"
    "RUN useradd -r app\nUSER app\nHEALTHCHECK CMD [\"true\"]\nCMD [\"true\"]\n"
)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def pre_commit() -> str:
    exe = shutil.which("pre-commit") or str(Path(os.sys.executable).parent / "pre-commit")
    require(Path(exe).exists(), "pre-commit is not installed (pip install -e '.[dev]')")
    return exe


@pytest.fixture(scope="module")
def hook_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _project(tmp_path: Path) -> Path:
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "dev@example.org")
    _git(repo, "config", "user.name", "dev")
    return repo


def _try_repo(pre_commit: str, home: Path, repo: Path, hook: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [pre_commit, "try-repo", str(REPO), hook, "--verbose"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900,
    )


def test_hook_definitions_are_what_pre_commit_expects() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    ids = {h["id"] for h in hooks}
    assert ids == {"hullguard-config", "hullguard-dockerfile", "hullguard-secrets"}
    for h in hooks:
        assert h["language"] == "python"
        assert h["entry"].split()[0] == "hullguard"
        assert "--exit-code" in h["entry"]


def test_config_hook_fails_on_staged_dockerfile_only(pre_commit: str, hook_home: Path, tmp_path: Path) -> None:
    repo = _project(tmp_path)
    (repo / "Dockerfile").write_text(GOOD_DOCKERFILE)
    _git(repo, "add", "Dockerfile")
    clean = _try_repo(pre_commit, hook_home, repo, "hullguard-dockerfile")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    # An unstaged bad Dockerfile elsewhere is not the hook's business...
    (repo / "other").mkdir()
    (repo / "other" / "Dockerfile").write_text(BAD_DOCKERFILE)
    unstaged = _try_repo(pre_commit, hook_home, repo, "hullguard-dockerfile")
    assert unstaged.returncode == 0, unstaged.stdout + unstaged.stderr

    # ...until it is staged.
    _git(repo, "add", "other/Dockerfile")
    staged = _try_repo(pre_commit, hook_home, repo, "hullguard-dockerfile")
    assert staged.returncode != 0
    assert "HG-DF-" in staged.stdout
    assert "other/Dockerfile" in staged.stdout


def test_secrets_hook_fails_on_a_staged_token(pre_commit: str, hook_home: Path, tmp_path: Path) -> None:
    import random

    repo = _project(tmp_path)
    token = github_token("ghp", random.Random(11))
    (repo / "settings.env").write_text(f"GITHUB_TOKEN={token}\n")
    (repo / "README.txt").write_text("nothing to see\n")
    _git(repo, "add", "README.txt")
    assert _try_repo(pre_commit, hook_home, repo, "hullguard-secrets").returncode == 0
    _git(repo, "add", "settings.env")
    found = _try_repo(pre_commit, hook_home, repo, "hullguard-secrets")
    assert found.returncode != 0
    assert "settings.env" in found.stdout
    assert token not in found.stdout + found.stderr  # redacted, even in a hook's log
