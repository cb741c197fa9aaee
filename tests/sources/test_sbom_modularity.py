"""SBOM input keeps an rpm's modularity label (it decides which module stream's advisories
apply): Trivy's `aquasecurity:trivy:Modularitylabel` CycloneDX property and `Modularitylabel`
SPDX annotation, and hullguard's own `hullguard:modularity_label` fact in both formats."""

from __future__ import annotations

import json
from pathlib import Path

from hullguard.sources.sbom import read_sbom

PURL = (
    "pkg:rpm/almalinux/nginx@1.22.1-3.module_el9.2.0%2B44%2Bf932b372?arch=x86_64&epoch=1&distro=almalinux-9.4"
)
LABEL = "nginx:1.22:9020020230823:rhel9"


def _cyclonedx(path: Path, prop: str) -> Path:
    component = {
        "type": "library",
        "name": "nginx",
        "purl": PURL,
        "properties": [{"name": prop, "value": LABEL}],
    }
    path.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [component]}))
    return path


def _spdx(path: Path, **extra: object) -> Path:
    package = {
        "SPDXID": "SPDXRef-nginx",
        "name": "nginx",
        "versionInfo": "1:1.22.1-3.module_el9.2.0+44+f932b372",
        "externalRefs": [
            {"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": PURL}
        ],
        **extra,
    }
    path.write_text(json.dumps({"spdxVersion": "SPDX-2.3", "name": "x", "packages": [package]}))
    return path


def test_modularity_label_from_every_shape(tmp_path: Path) -> None:
    docs = [
        _cyclonedx(tmp_path / "trivy.cdx.json", "aquasecurity:trivy:Modularitylabel"),
        _cyclonedx(tmp_path / "ours.cdx.json", "hullguard:modularity_label"),
        _spdx(tmp_path / "trivy.spdx.json", annotations=[{"comment": f"Modularitylabel: {LABEL}"}]),
        _spdx(
            tmp_path / "ours.spdx.json",
            comment=f"hullguard:package_type: rpm\nhullguard:modularity_label: {LABEL}",
        ),
    ]
    for doc in docs:
        (package,) = read_sbom(doc).inventory.packages
        assert (package.name, package.version, package.modularity_label) == (
            "nginx",
            "1:1.22.1-3.module_el9.2.0+44+f932b372",
            LABEL,
        ), doc.name


def test_no_label_is_none(tmp_path: Path) -> None:
    (package,) = read_sbom(_spdx(tmp_path / "plain.spdx.json")).inventory.packages
    assert package.modularity_label is None
