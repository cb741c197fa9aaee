"""SPDX 2.3: valid by spdx-tools' validator, licences as SPDX expressions or declared LicenseRefs."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from spdx_tools.spdx.parser.json.json_parser import parse_from_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from hullguard.pipeline import ImageTarget, ScanOptions, scan
from hullguard.report import writer_for
from hullguard.report.spdx_document import to_document
from tests.report.factories import make_report
from tests.support.images import BuiltImage

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _written(tmp_path, report) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """Write through the registered writer, parse back with spdx-tools and validate it."""
    path = tmp_path / "out.spdx.json"
    with path.open("w") as out:
        writer_for("spdx-json")(report, out)
    parsed = parse_from_file(str(path))
    assert validate_full_spdx_document(parsed) == []
    return json.loads(path.read_text())


def _package(doc: dict, name: str) -> dict:  # type: ignore[type-arg]
    [p] = [p for p in doc["packages"] if p["name"] == name]
    return p


def test_matches_golden_and_validates(
    golden: Callable[[str, str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    document = to_document(make_report(), created=CREATED)
    assert validate_full_spdx_document(document) == []
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(CREATED.timestamp())))
    out = io.StringIO()
    writer_for("spdx-json")(make_report(), out)
    golden("spdx/small-image.json", out.getvalue())


def test_packages_keep_purl_licences_source_and_layer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = _written(tmp_path, make_report())
    assert doc["spdxVersion"] == "SPDX-2.3"
    zlib = _package(doc, "zlib1g")
    assert zlib["externalRefs"] == [
        {
            "referenceCategory": "PACKAGE_MANAGER",
            "referenceType": "purl",
            "referenceLocator": "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12",
        }
    ]
    assert zlib["licenseDeclared"] == "Zlib"
    assert zlib["sourceInfo"] == "built package from: zlib 1:1.2.13.dfsg-1"
    assert f"hullguard:layer_diff_id: sha256:{'1' * 64}" in zlib["comment"].splitlines()
    assert "hullguard:source_name: zlib" in zlib["comment"].splitlines()
    assert _package(doc, "@babel/core")["licenseDeclared"] == "MIT OR Apache-2.0"
    libc = _package(doc, "libc6")["licenseDeclared"]
    assert libc.startswith("LicenseRef-GPL-2-") and libc.endswith(" AND LGPL-2.1-only")
    assert {e["extractedText"] for e in doc["hasExtractedLicensingInfos"]} == {
        "GPL-2+",
        "Apache License, Version 2.0",
    }
    assert _package(doc, "debian")["primaryPackagePurpose"] == "OPERATING_SYSTEM"


def test_relationships_describe_contain_and_depend(tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = _written(tmp_path, make_report())
    ids = {p["name"]: p["SPDXID"] for p in doc["packages"]}
    rels = {
        (r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in doc["relationships"]
    }
    root = ids["registry.example/app:1.0"]
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", root) in rels
    assert (root, "CONTAINS", ids["debian"]) in rels
    assert (ids["debian"], "CONTAINS", ids["zlib1g"]) in rels
    assert (root, "CONTAINS", ids["Jinja2"]) in rels
    assert (ids["libc6"], "DEPENDS_ON", ids["libgcc-s1"]) in rels
    assert len([p for p in doc["packages"] if p["name"] == "lodash"]) == 2


def test_namespace_is_stable_for_the_same_content() -> None:
    a = to_document(make_report(), created=CREATED).creation_info.document_namespace
    b = to_document(make_report(), created=datetime(2027, 1, 1, tzinfo=UTC)).creation_info.document_namespace
    c = to_document(make_report(packages=()), created=CREATED).creation_info.document_namespace
    assert a == b != c


@pytest.mark.integration
def test_demo_image_document_is_valid(demo_image: BuiltImage, tmp_path) -> None:  # type: ignore[no-untyped-def]
    report = scan(ImageTarget(ref=str(demo_image.archive)), ScanOptions(scanners=frozenset()))
    doc = _written(tmp_path, report)
    purls = {r["referenceLocator"] for p in doc["packages"] for r in p.get("externalRefs", ())}
    assert purls == {p.purl for p in report.packages or ()} and len(purls) > 80
