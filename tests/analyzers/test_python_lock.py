"""Poetry, uv and Pipenv lock files written by the real tools; requirements files with pins and ranges."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.analyzers.python_lock import PythonLockAnalyzer
from hullguard.analyzers.requirements import RequirementsAnalyzer
from tests.analyzers.lang import FIXTURES, nv, scan

LOCKS = FIXTURES / "python_lock"
LOCKED = {("jinja2", "2.11.2"), ("markupsafe", "3.0.4"), ("urllib3", "1.26.4"), ("six", "1.16.0")}


@pytest.mark.parametrize(
    ("case", "lock"), [("poetry", "poetry.lock"), ("uv", "uv.lock"), ("pipenv", "Pipfile.lock")]
)
def test_lock_files_give_every_locked_package_and_mark_dev(case: str, lock: str) -> None:
    packages, issues = scan(PythonLockAnalyzer(), LOCKS / case)
    assert not issues
    assert nv(packages) == LOCKED
    assert {p.name for p in packages if p.dev} == {"six"}
    assert {p.path for p in packages} == {f"app/{lock}"}


def test_uv_lock_follows_the_graph_for_dependencies() -> None:
    packages, _ = scan(PythonLockAnalyzer(), LOCKS / "uv")
    assert {p.name: p.dependencies for p in packages}["jinja2"] == ("markupsafe",)


def test_poetry_1x_category_and_broken_toml(tmp_path: Path) -> None:
    (tmp_path / "poetry.lock").write_text(
        '[[package]]\nname = "pytest"\nversion = "7.0.0"\ncategory = "dev"\noptional = false\n\n'
        '[[package]]\nname = "idna"\nversion = "3.4"\ncategory = "main"\noptional = false\n\n'
        '[metadata]\nlock-version = "1.1"\n'
    )
    packages, _ = scan(PythonLockAnalyzer(), tmp_path)
    assert {(p.name, p.dev) for p in packages} == {("pytest", True), ("idna", False)}
    (tmp_path / "poetry.lock").write_text('[[package]]\nname = "x"\nversion = \n')
    packages, issues = scan(PythonLockAnalyzer(), tmp_path)
    assert packages == () and "invalid TOML" in issues[0].message and "line 3" in issues[0].message


def test_pipfile_lock_with_wrong_shape_is_an_issue(tmp_path: Path) -> None:
    (tmp_path / "Pipfile.lock").write_text('{"default": ["requests"]}')
    packages, issues = scan(PythonLockAnalyzer(), tmp_path)
    assert packages == () and "default should be an object" in issues[0].message


def test_requirements_keep_exact_pins_and_report_the_rest() -> None:
    packages, issues = scan(RequirementsAnalyzer(), FIXTURES / "requirements" / "project")
    assert {(p.name, p.version, p.path) for p in packages} == {
        ("requests", "2.25.0", "app/requirements.txt"),
        ("urllib3", "1.26.4", "app/requirements.txt"),
        ("Jinja2", "2.11.2", "app/requirements.txt"),
        ("six", "1.16.0", "app/requirements/dev.txt"),
    }
    messages = {i.path: i.message for i in issues}
    top = messages["app/requirements.txt"]
    assert top.startswith("4 requirements not pinned with == were skipped")
    for expected in ("line 10: flask>=2.0", "line 11: numpy", "line 12: -e git+", "line 13: mylib @"):
        assert expected in top
    assert "line 2: pytest~=8.0" in messages["app/requirements/dev.txt"]


def test_requirements_spec_matches_only_requirements_files() -> None:
    from hullguard.sources.tree import EntryType, FileEntry

    def entry(path: str) -> FileEntry:
        return FileEntry(path=path, type=EntryType.FILE, size=10)

    spec = RequirementsAnalyzer.spec
    assert spec.matches(entry("app/requirements-dev.txt"))
    assert spec.matches(entry("requirements/prod.txt"))
    assert not spec.matches(entry("usr/share/doc/readme.txt"))
    assert not spec.matches(entry("app/requirements.in"))


def test_requirements_utf16_with_bom_and_comment_glued_to_the_pin(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(
        "attrs==20.3.0\r\nJinja2==3.0.0#pinned for CVE\r\n".encode("utf-16")
    )
    packages, issues = scan(RequirementsAnalyzer(), tmp_path)
    assert nv(packages) == {("attrs", "20.3.0"), ("Jinja2", "3.0.0")} and not issues
