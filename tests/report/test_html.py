"""`--format html`: one self-contained file (no scripts, nothing fetched), every scanned string escaped."""

from __future__ import annotations

import io
import re

from hullguard.model import (
    Artifact,
    ArtifactType,
    Location,
    Package,
    PackageType,
    Report,
    Severity,
    Vulnerability,
)
from hullguard.report import formats, writer_for


def _report(title: str) -> Report:
    package = Package(type=PackageType.PYPI, name="requests", version="2.25.0", layer="sha256:" + "1" * 64)
    return Report(
        artifact=Artifact(name="demo:<b>1</b>", type=ArtifactType.CONTAINER_IMAGE, layers=(package.layer,)),  # type: ignore[arg-type]
        packages=(package,),
        findings=(Vulnerability(id="CVE-2023-32681", severity=Severity.MEDIUM, title=title, package=package,
                                fixed_version="2.31.0", location=Location(layer=package.layer),
                                layer_created_by="pip install requests", in_base_image=False),),
    )


def test_html_is_registered_and_self_contained() -> None:
    assert "html" in formats()
    out = io.StringIO()
    writer_for("html")(_report("leak of Proxy-Authorization"), out)
    page = out.getvalue()
    assert page.startswith("<!doctype html>") and "<style>" in page
    assert "<script" not in page and not re.search(r'(src|href)="(https?:)?//', page)
    for expected in ("CVE-2023-32681", "Fixes available", "2.31.0", "pip install requests", "added", "0 / 1"):
        assert expected in page, expected


def test_scanned_strings_are_escaped() -> None:
    out = io.StringIO()
    writer_for("html")(_report('<img src=x onerror="alert(1)">'), out)
    page = out.getvalue()
    assert "<img" not in page and "&lt;img src=x" in page
    assert "demo:&lt;b&gt;1&lt;/b&gt;" in page


def test_image_command_writes_the_html_report(tmp_path, demo_image) -> None:  # type: ignore[no-untyped-def]
    from hullguard.cli.main import main

    out = tmp_path / "report.html"
    assert main(["image", str(demo_image.archive), "--format", "html", "--output", str(out), "--quiet",
                 "--cache-dir", str(tmp_path / "cache")]) == 0
    page = out.read_text()
    assert "minimist" in page and "Findings by layer" in page and "<script" not in page
