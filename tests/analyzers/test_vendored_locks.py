"""A lock file that ships inside an installed dependency is that dependency's own, not the project's."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.analyzers.base import Analyzer
from hullguard.analyzers.cargo import CargoLockAnalyzer
from hullguard.analyzers.php import ComposerLockAnalyzer
from hullguard.analyzers.python_lock import PythonLockAnalyzer
from hullguard.analyzers.requirements import RequirementsAnalyzer
from hullguard.analyzers.ruby import GemfileLockAnalyzer
from tests.analyzers.lang import FIXTURES, scan

CASES = [
    (
        PythonLockAnalyzer(),
        "python_lock/poetry/app/poetry.lock",
        "usr/lib/python3/dist-packages/somepkg/poetry.lock",
    ),
    (
        RequirementsAnalyzer(),
        "requirements/project/app/requirements/dev.txt",
        "usr/local/lib/python3.11/site-packages/somepkg/tests/requirements.txt",
    ),
    (
        GemfileLockAnalyzer(),
        "ruby/bundle/app/Gemfile.lock",
        "usr/local/bundle/ruby/3.2.0/gems/sinatra-4.0.0/Gemfile.lock",
    ),
    (
        ComposerLockAnalyzer(),
        "php/lock/var/www/shop/composer.lock",
        "var/www/shop/vendor/monolog/monolog/composer.lock",
    ),
    (
        CargoLockAnalyzer(),
        "cargo/project/src/demo/Cargo.lock",
        "usr/share/cargo/registry/regex-1.7.1/Cargo.lock",
    ),
    (
        CargoLockAnalyzer(),
        "cargo/project/src/demo/Cargo.lock",
        "root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/regex-1.7.1/Cargo.lock",
    ),
]


@pytest.mark.parametrize(("analyzer", "fixture", "vendored"), CASES, ids=[c[2] for c in CASES])
def test_vendored_lock_is_not_read_but_the_project_one_is(
    analyzer: Analyzer, fixture: str, vendored: str, tmp_path: Path
) -> None:
    content = (FIXTURES / fixture).read_bytes()
    (tmp_path / vendored).parent.mkdir(parents=True)
    (tmp_path / vendored).write_bytes(content)
    assert scan(analyzer, tmp_path) == ((), ())
    project = tmp_path / "srv/project" / Path(vendored).name
    project.parent.mkdir(parents=True)
    project.write_bytes(content)
    packages, _ = scan(analyzer, tmp_path)
    assert packages and {p.path for p in packages} == {f"srv/project/{project.name}"}
