"""The table: ids and versions whole at any width, paths shortened in the middle, a Layer column
or per-layer groups, "no findings" with the packages checked, counted nouns."""

from __future__ import annotations

import dataclasses
import io

import pytest

from hullguard.model import Issue, Location, Misconfiguration, PackageType, Report, Severity, Vulnerability
from hullguard.report.table import write
from hullguard.report.table_text import plural, short_path, step_text
from tests.report.factories import APP, BASE, make_package, make_report

LONG_VERSION = "1:2.36-9+deb12u4~really.2.35.1+security.backport.20240101"
LONG_FIXED = "1:2.36-9+deb12u7~really.2.35.1+security.backport.20240315"
LONG_ID = "DEBIAN-CVE-2024-2961-AND-A-VERY-LONG-SUFFIX"
DEEP = "usr/local/lib/python3.11/site-packages/some/vendored/deeply/nested/tree/requests-2.31.0.dist-info/METADATA"


def _vuln(layer: str = APP, **overrides: object) -> Vulnerability:
    fields: dict[str, object] = {
        "id": LONG_ID,
        "severity": Severity.HIGH,
        "title": "a title long enough to need wrapping when the terminal is narrow " * 2,
        "package": make_package(name="libc6", version=LONG_VERSION, layer=layer),
        "fixed_version": LONG_FIXED,
        "location": Location(path="var/lib/dpkg/status", layer=layer),
        "layer_created_by": "/bin/sh -c apt-get update && apt-get install -y libc6 curl",
    }
    fields.update(overrides)
    return Vulnerability(**fields)  # type: ignore[arg-type]


def render(report: Report, columns: int, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    out = io.StringIO()
    write(report, out)
    return out.getvalue()


@pytest.mark.parametrize("columns", [80, 100, 160, 220])
def test_ids_versions_and_fixed_versions_are_never_cut(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    report = dataclasses.replace(make_report(), findings=(_vuln(),))
    text = render(report, columns, monkeypatch)
    for whole in (LONG_ID, LONG_VERSION, LONG_FIXED):
        assert whole in text, (columns, text)


def test_long_paths_lose_their_middle_but_keep_the_package_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    short = short_path(DEEP)
    assert short.startswith("usr/…/") and short.endswith("/requests-2.31.0.dist-info/METADATA")
    assert len(short) <= 56
    assert short_path("etc/passwd") == "etc/passwd"
    # Over the limit with only the package folder left: still whole.
    huge = "a/b/" + "x" * 80 + "/file"
    assert short_path(huge, limit=20) == "a/…/" + "x" * 80 + "/file"
    pypi = make_package(type=PackageType.PYPI, name="requests", version="2.31.0", path=DEEP)
    report = dataclasses.replace(make_report(), findings=(_vuln(package=pypi, location=Location(path=DEEP)),))
    assert "requests-2.31.0.dist-info/METADATA" in render(report, 220, monkeypatch)
    # An OS package's database path says nothing its name does not: not shown.
    assert "var/lib/dpkg/status" not in render(
        dataclasses.replace(report, findings=(_vuln(),)), 220, monkeypatch
    )


def test_a_wide_terminal_gets_a_layer_column_with_the_step(monkeypatch: pytest.MonkeyPatch) -> None:
    vuln = _vuln(id="CVE-2024-2961", fixed_version="2.36-9+deb12u7", title="iconv overflow")
    vuln = dataclasses.replace(vuln, package=make_package(name="libc6", version="2.36-9+deb12u4", layer=APP))
    report = dataclasses.replace(make_report(), findings=(vuln,))
    text = render(report, 220, monkeypatch)
    assert "┃ Layer" in text
    assert "222222222222 RUN apt-get update" in text


def test_a_narrow_terminal_groups_findings_by_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    findings = (
        _vuln(layer=BASE, layer_created_by="/bin/sh -c #(nop) ADD file:abc in / "),
        _vuln(),
        _vuln(id="CVE-2"),
    )
    report = dataclasses.replace(make_report(), findings=findings)
    text = render(report, 100, monkeypatch)
    assert "┃ Layer" not in text
    first = text.index("Layer 1 111111111111 ADD file:abc in /")
    second = text.index("Layer 2 222222222222 RUN apt-get update")
    assert first < second
    assert "— 1 finding\n" in text and "— 2 findings\n" in text


def test_no_findings_says_so_with_the_packages_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    report = dataclasses.replace(make_report(), findings=())
    text = render(report, 160, monkeypatch)
    assert f"No findings: {len(report.packages or ())} packages checked." in text
    assert "┏" not in text  # no empty package table


def test_counts_are_pluralised_and_an_issue_names_its_file_once(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (plural(1, "issue"), plural(2, "file"), plural(0, "package")) == (
        "1 issue",
        "2 files",
        "0 packages",
    )
    broken = Issue(stage="config", path="bad.yaml", message="bad.yaml:4: not valid YAML")
    other = Issue(stage="analyzer", path="var/lib/dpkg/status", message="truncated")
    finding = Misconfiguration(
        id="HG-DF-001",
        severity=Severity.HIGH,
        title="t",
        message="m",
        location=Location(path="Dockerfile", start_line=1),
    )
    report = dataclasses.replace(make_report(), findings=(finding,), issues=(broken,))
    text = render(report, 160, monkeypatch)
    assert "1 issue while scanning" in text and "Findings: CRITICAL 0, HIGH 1," in text
    assert text.count("bad.yaml") == 1
    report = dataclasses.replace(report, issues=(broken, other))
    text = render(report, 160, monkeypatch)
    assert "2 issues while scanning" in text and "var/lib/dpkg/status: truncated" in text


def test_history_steps_read_like_a_dockerfile() -> None:
    assert step_text('/bin/sh -c #(nop)  CMD ["bash"]') == 'CMD ["bash"]'
    assert step_text("RUN |1 V=2 /bin/sh -c make install # buildkit") == "RUN make install"
    assert step_text("/bin/sh -c apt-get update") == "RUN apt-get update"
    assert step_text("COPY app /app # buildkit") == "COPY app /app"


def test_widths_fit_the_room_giving_whole_columns_their_content() -> None:
    from hullguard.report.table_text import fit_widths

    assert fit_widths([10, 20, 30], [10, 5, 5], 100) == [10, 20, 30]  # all fit: as they are
    widths = fit_widths([10, 20, 30], [10, 5, 5], 40)
    assert widths is not None and widths[0] == 10 and sum(widths) <= 40 and min(widths) >= 5
    assert fit_widths([10, 20, 30], [10, 5, 5], 19) is None  # not even the least: blocks instead
    widths = fit_widths([10, 20, 30], [10, 5, 5], 45, first=2)
    assert widths == [10, 5, 30]  # the path column first


def test_every_line_of_a_table_fits_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    libc = make_package(name="libc6", version="2.36-9+deb12u4")
    pypi = make_package(type=PackageType.PYPI, name="requests", version="2.31.0", path=DEEP)
    short = {"id": "CVE-2024-1", "fixed_version": "2.36-9+deb12u7"}
    findings = (
        _vuln(layer=BASE, package=libc, **short),
        _vuln(package=libc, **short),
        _vuln(package=pypi, location=Location(path=DEEP, layer=APP), **short),
    )
    report = dataclasses.replace(make_report(), findings=findings)
    for columns in (100, 140, 200):
        lines = [
            line for line in render(report, columns, monkeypatch).splitlines() if line and line[0] in "┏┃│└┡"
        ]
        assert lines and max(len(line) for line in lines) <= columns, columns
