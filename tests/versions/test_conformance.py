"""Every comparison of osv-scalibr's version fixtures, in both directions, per ecosystem file."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.versions import apk, dpkg, maven, nuget, numeric, packagist, pep440, rpm, rubygems, semver
from hullguard.versions.base import Scheme

pytestmark = pytest.mark.conformance

FILES: dict[str, Scheme] = {
    "alpine-versions.txt": apk.SCHEME,
    "alpine-versions-generated.txt": apk.SCHEME,
    "debian-versions.txt": dpkg.SCHEME,
    "debian-versions-generated.txt": dpkg.SCHEME,
    "redhat-versions.txt": rpm.SCHEME,
    "pypi-versions.txt": pep440.SCHEME,
    "pypi-versions-generated.txt": pep440.SCHEME,
    "semver-versions.txt": semver.SCHEME,
    "nuget-versions.txt": nuget.SCHEME,
    "packagist-versions.txt": packagist.SCHEME,
    "packagist-versions-generated.txt": packagist.SCHEME,
    "maven-versions.txt": maven.SCHEME,
    "maven-versions-generated.txt": maven.SCHEME,
    "rubygems-versions.txt": rubygems.SCHEME,
    "rubygems-versions-generated.txt": rubygems.SCHEME,
    "cran-versions.txt": numeric.CRAN,
    "cran-versions-generated.txt": numeric.CRAN,
    "hackage-versions.txt": numeric.HACKAGE,
    "pub-versions.txt": semver.PUB,
}
_OPS = {"<": -1, "=": 0, ">": 1}


def comparison_lines(path: Path) -> list[tuple[int, str, int, str]]:
    lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith(("# ", "// ")):
            continue
        a, op, b = line.split(" ")
        lines.append((number, a, _OPS[op], b))
    return lines


def failures(path: Path, scheme: Scheme) -> tuple[int, list[str]]:
    lines = comparison_lines(path)
    failed = []
    for number, a, expected, b in lines:
        forward, backward = scheme.compare(a, b), scheme.compare(b, a)
        if forward != expected or backward != -expected:
            failed.append(f"{path.name}:{number}: {a} vs {b}: got {forward}/{backward}, want {expected}")
    return len(lines), failed


def test_every_fixture_file_has_a_scheme(shared_dir: Path) -> None:
    present = {p.name for p in (shared_dir / "conformance/osv-semantic-versions/testdata").glob("*.txt")}
    assert present == set(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_all_comparisons_hold_both_ways(shared_dir: Path, name: str) -> None:
    path = shared_dir / "conformance/osv-semantic-versions/testdata" / name
    total, failed = failures(path, FILES[name])
    assert total > 0
    assert not failed, f"{len(failed)}/{total} failed:\n" + "\n".join(failed[:30])
