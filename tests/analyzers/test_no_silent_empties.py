"""No silent empties: a package database or lock file that is present but cannot be parsed
(garbage bytes, empty, truncated, another format) is an issue naming the file, never an empty
package list that would look like a clean image."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.analyzers import ANALYZERS
from hullguard.analyzers.run import analyze_tree
from hullguard.sources.rootfs import DirTree

FIXTURES = Path(__file__).parent.parent / "fixtures/analyzers"

DATABASES = (
    "var/lib/dpkg/status",
    "var/lib/dpkg/status.d/base",
    "lib/apk/db/installed",
    "var/lib/rpm/Packages",
    "var/lib/rpm/Packages.db",
    "var/lib/rpm/rpmdb.sqlite",
    "var/lib/rpmmanifest/container-manifest-2",
    "app/Cargo.lock",
    "app/packages.lock.json",
    "app/bin/app.deps.json",
    "app/package-lock.json",
    "app/npm-shrinkwrap.json",
    "app/composer.lock",
    "app/vendor/composer/installed.json",
    "app/pnpm-lock.yaml",
    "app/poetry.lock",
    "app/uv.lock",
    "app/Pipfile.lock",
    "app/Gemfile.lock",
    "app/yarn.lock",
    "app/node_modules/left-pad/package.json",
    "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
)
BROKEN = {
    "garbage": b"\x00\xff\xfe\x01\x8b\x1f garbage \x02" * 40,
    "empty": b"",
    "prose": b"hello world\nthis is not what the name says\n",
    "json": b'{"name": "x", "items": [1, 2, 3]}\n',
}


def _issues_for(tmp_path: Path, path: str, data: bytes) -> tuple[int, list[str]]:
    file = tmp_path / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(data)
    inventory, issues = analyze_tree(DirTree(tmp_path), ANALYZERS)
    return len(inventory.packages), [i.path or "" for i in issues]


@pytest.mark.parametrize("kind", sorted(BROKEN))
@pytest.mark.parametrize("path", DATABASES)
def test_a_broken_database_is_an_issue_naming_it(tmp_path: Path, path: str, kind: str) -> None:
    packages, issue_paths = _issues_for(tmp_path, path, BROKEN[kind])
    assert packages == 0
    assert path in issue_paths, f"{path} ({kind}) gave no issue: it would look like a clean image"


def _real(name: str) -> list[Path]:
    return sorted(f for f in FIXTURES.rglob(name) if f.is_file() and f.stat().st_size > 200)


TRUNCATABLE = ("package-lock.json", "composer.lock", "pnpm-lock.yaml", "poetry.lock", "Pipfile.lock", "Cargo.lock",
               "packages.lock.json", "installed.json", "uv.lock")


@pytest.mark.parametrize("name", TRUNCATABLE)
def test_a_truncated_lock_file_is_an_issue(tmp_path: Path, name: str) -> None:
    real = _real(name)
    assert real, f"no fixture named {name}"
    source = real[0]
    path = str(source.relative_to(FIXTURES)).split("/", 1)[1]  # the case folder is not part of the path
    packages_before, issues_before = _issues_for(tmp_path / "whole", path, source.read_bytes())
    assert packages_before and not issues_before
    data = source.read_bytes()
    _, issue_paths = _issues_for(tmp_path / "cut", path, data[: len(data) // 2])
    assert path in issue_paths


def test_an_empty_requirements_file_is_a_project_without_dependencies(tmp_path: Path) -> None:
    """The one exception: requirements.txt is free-form, and empty is valid."""
    assert _issues_for(tmp_path, "app/requirements.txt", b"") == (0, [])
