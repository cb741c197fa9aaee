"""`--format cyclonedx` and `--format spdx-json` through the CLI, on a small root filesystem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.parser.json.json_parser import parse_from_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from hullguard.cli.main import main
from hullguard.report import formats


@pytest.fixture
def rootfs(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "var/lib/dpkg/status").write_text(
        "Package: bsdutils\nStatus: install ok installed\nArchitecture: amd64\n"
        "Source: util-linux (2.38.1-5+deb12u3)\nVersion: 1:2.38.1-5+deb12u3\n"
    )
    (root / "etc").mkdir()
    (root / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    return root


def test_both_formats_are_registered() -> None:
    assert {"cyclonedx", "spdx-json"} <= set(formats())


def test_cyclonedx_from_the_cli(rootfs: Path, tmp_path: Path) -> None:
    out = tmp_path / "bom.json"
    assert main(["fs", str(rootfs), "--format", "cyclonedx", "--scanners", "", "-o", str(out)]) == 0
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(out.read_text()) is None
    doc = json.loads(out.read_text())
    [pkg] = [c for c in doc["components"] if c["type"] == "library"]
    assert pkg["purl"] == "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12"
    assert {"name": "hullguard:source_name", "value": "util-linux"} in pkg["properties"]


def test_spdx_from_the_cli(rootfs: Path, tmp_path: Path) -> None:
    out = tmp_path / "doc.spdx.json"
    assert main(["fs", str(rootfs), "--format", "spdx-json", "--scanners", "", "-o", str(out)]) == 0
    assert validate_full_spdx_document(parse_from_file(str(out))) == []
    [pkg] = [p for p in json.loads(out.read_text())["packages"] if p["name"] == "bsdutils"]
    assert pkg["sourceInfo"] == "built package from: util-linux 2.38.1-5+deb12u3"
