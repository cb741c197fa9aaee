"""CycloneDX 1.6: valid against the official schema, purls and licences right, deterministic."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from hullguard.model import Report
from hullguard.pipeline import ImageTarget, ScanOptions, scan
from hullguard.report import writer_for
from hullguard.report.cyclonedx_json import to_json
from tests.report.factories import make_report
from tests.support.images import BuiltImage

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _valid(text: str) -> dict:  # type: ignore[type-arg]
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert errors is None, errors
    return json.loads(text)


def _by_name(doc: dict, name: str) -> list[dict]:  # type: ignore[type-arg]
    return [c for c in doc["components"] if c["name"] == name]


def test_matches_golden_and_schema(golden: Callable[[str, str], None]) -> None:
    text = to_json(make_report(), created=CREATED)
    _valid(text)
    golden("cyclonedx/small-image.json", text + "\n")


def test_components_keep_purl_layer_source_and_licences() -> None:
    doc = _valid(to_json(make_report(), created=CREATED))
    assert doc["specVersion"] == "1.6"
    assert doc["metadata"]["component"]["type"] == "container"
    props = {p["name"]: p["value"] for p in doc["metadata"]["component"]["properties"]}
    assert props["hullguard:layer_diff_ids"] == f"sha256:{'1' * 64},sha256:{'2' * 64}"
    [os] = [c for c in doc["components"] if c["type"] == "operating-system"]
    assert (os["name"], os["version"]) == ("debian", "12")
    [zlib] = _by_name(doc, "zlib1g")
    assert zlib["purl"] == "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12"
    assert zlib["licenses"] == [{"license": {"id": "Zlib"}}]
    zprops = {p["name"]: p["value"] for p in zlib["properties"]}
    assert zprops["hullguard:source_name"] == "zlib"
    assert zprops["hullguard:layer_diff_id"] == f"sha256:{'1' * 64}"
    [libc] = _by_name(doc, "libc6")  # GPL-2+ is not SPDX: each licence kept, by name where needed
    assert sorted(map(str, libc["licenses"])) == [
        str({"license": {"id": "LGPL-2.1"}}),
        str({"license": {"name": "GPL-2+"}}),
    ]
    [babel] = _by_name(doc, "@babel/core")
    assert babel["purl"] == "pkg:npm/%40babel/core@7.24.0"
    assert babel["licenses"] == [{"expression": "MIT OR Apache-2.0"}]
    [log4j] = _by_name(doc, "log4j-core")
    assert log4j["group"] == "org.apache.logging.log4j"
    assert log4j["purl"] == "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    lodash = _by_name(doc, "lodash")
    assert len(lodash) == 2 and len({c["bom-ref"] for c in lodash}) == 2
    [jinja] = _by_name(doc, "Jinja2")
    assert jinja["purl"] == "pkg:pypi/jinja2@2.11.2"


def test_os_packages_hang_under_the_os_and_dependencies_resolve() -> None:
    doc = _valid(to_json(make_report(), created=CREATED))
    deps = {d["ref"]: set(d.get("dependsOn", ())) for d in doc["dependencies"]}
    os_ref = "os:debian@12"
    assert os_ref in deps["artifact:registry.example/app:1.0"]
    assert {r for r in deps[os_ref]} == {
        c["bom-ref"] for c in doc["components"] if "distro=" in c.get("purl", "")
    }
    [libc] = _by_name(doc, "libc6")
    [gcc] = _by_name(doc, "libgcc-s1")
    assert deps[libc["bom-ref"]] == {gcc["bom-ref"]}


def test_vulnerabilities_affect_their_component() -> None:
    doc = _valid(to_json(make_report(), created=CREATED))
    [vuln] = doc["vulnerabilities"]
    [jinja] = _by_name(doc, "Jinja2")
    assert vuln["id"] == "CVE-2020-28493"
    assert vuln["affects"] == [{"ref": jinja["bom-ref"]}]
    assert vuln["ratings"][0]["severity"] == "medium" and vuln["ratings"][0]["method"] == "CVSSv31"


def test_same_report_gives_same_serial_and_a_changed_one_does_not() -> None:
    report = make_report()
    a = json.loads(to_json(report, created=CREATED))
    b = json.loads(to_json(make_report(), created=datetime(2027, 1, 1, tzinfo=UTC)))
    c = json.loads(to_json(make_report(packages=report.packages[1:]), created=CREATED))
    assert a["serialNumber"] == b["serialNumber"] != c["serialNumber"]


def test_writer_honours_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = io.StringIO()
    writer_for("cyclonedx")(make_report(), out)
    assert json.loads(out.getvalue())["metadata"]["timestamp"] == "2023-11-14T22:13:20+00:00"


def test_empty_filesystem_report_is_valid() -> None:
    report = make_report()
    from hullguard.model import Artifact, ArtifactType

    empty = Report(artifact=Artifact(name="/srv/root", type=ArtifactType.FILESYSTEM), packages=())
    doc = _valid(to_json(empty, created=CREATED))
    assert doc["metadata"]["component"]["type"] == "file" and not doc.get("components")
    assert report.packages


@pytest.mark.integration
def test_demo_image_every_package_has_a_component(demo_image: BuiltImage) -> None:
    report = scan(ImageTarget(ref=str(demo_image.archive)), ScanOptions(scanners=frozenset()))
    doc = _valid(to_json(report, created=CREATED))
    libraries = [c for c in doc["components"] if c["type"] == "library"]
    assert len(libraries) == len(report.packages or ()) > 80
    assert all(c["purl"].startswith("pkg:") for c in libraries)
    assert {c["purl"] for c in libraries} == {p.purl for p in report.packages or ()}
