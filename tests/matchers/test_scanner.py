"""The vuln scanner end to end: the demo image against the bundled advisories (expectation from
`dpkg --compare-versions`), layers and history steps, base-image marking; and on a root
filesystem through the CLI: --exit-code, --ignorefile (with an expired entry), VEX."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from hullguard.cli.main import main
from hullguard.model import PackageType
from hullguard.pipeline import ImageTarget, ScanOptions, scan
from hullguard.vulndb.bundled import bundled_dir
from tests.conftest import require
from tests.support.images import BuiltImage


def _dpkg_lt(a: str, b: str) -> bool:
    return subprocess.run(["dpkg", "--compare-versions", a, "lt", b], check=False).returncode == 0


def _base_only(archive: Path, dest: Path) -> Path:
    """A real docker-archive of the demo image's first layer only: its base image."""
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        config = json.load(tar.extractfile(manifest[0]["Config"]))  # type: ignore[arg-type]
        first = manifest[0]["Layers"][0]
        layer = tar.extractfile(first).read()  # type: ignore[union-attr]
    config["rootfs"]["diff_ids"] = config["rootfs"]["diff_ids"][:1]
    config["history"] = [h for h in config["history"] if not h.get("empty_layer")][:1]
    config_bytes = json.dumps(config).encode()
    files = {
        "config.json": config_bytes,
        first: layer,
        "manifest.json": json.dumps(
            [{"Config": "config.json", "RepoTags": ["base:1"], "Layers": [first]}]
        ).encode(),
    }
    with tarfile.open(dest, "w") as out:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return dest


@pytest.mark.integration
def test_demo_image_findings_layers_and_base(demo_image: BuiltImage, tmp_path: Path) -> None:
    require(shutil.which("dpkg") is not None, "dpkg not installed")
    base = _base_only(demo_image.archive, tmp_path / "base.tar")
    options = ScanOptions(scanners=frozenset({"vuln"}), cache_dir=tmp_path / "cache")
    report = scan(ImageTarget(ref=str(demo_image.archive), base_image=str(base)), options)
    debs = [p for p in report.packages or () if p.type is PackageType.DEB]
    expected = set()
    for path in (bundled_dir() / "Debian").glob("*.json"):
        record = json.loads(path.read_text())
        cve = record["upstream"][0]
        for affected in record["affected"]:
            fixed = [e["fixed"] for r in affected["ranges"] for e in r["events"] if "fixed" in e]
            for p in debs:
                if p.source_name == affected["package"]["name"] and (
                    not fixed or _dpkg_lt(p.source_version or p.version, fixed[0])
                ):
                    expected.add((p.name, cve))
    found = {
        (f.package.name, f.id)
        for f in report.findings
        if f.kind == "vulnerability" and f.package.type is PackageType.DEB
    }
    assert expected and found == expected
    first_layer = report.artifact.layers[0]
    for f in report.findings:
        assert f.kind == "vulnerability"
        if f.package.type is PackageType.DEB:
            assert f.location.layer == first_layer
            assert f.layer_created_by == "debootstrap --variant=minbase bookworm"
            assert f.in_base_image is True
    assert any("bundled demo advisories" in i.message for i in report.issues)
    # Without a base image reference nothing is claimed either way.
    plain = scan(
        ImageTarget(ref=str(demo_image.archive)),
        ScanOptions(scanners=frozenset({"vuln"}), cache_dir=tmp_path / "cache"),
    )
    assert {f.in_base_image for f in plain.findings} == {None}


def _rootfs(root: Path) -> Path:
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    (root / "var/lib/dpkg/status").write_text(
        "Package: coreutils\nStatus: install ok installed\nVersion: 9.1-1\nArchitecture: amd64\n\n"
        "Package: perl-base\nStatus: install ok installed\nSource: perl\nVersion: 5.36.0-7\nArchitecture: amd64\n\n"
    )
    return root


def test_fs_scan_exit_code_ignorefile_and_vex(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _rootfs(tmp_path / "root")
    cache = ["--cache-dir", str(tmp_path / "cache"), "--format", "json"]
    assert main(["fs", str(root), *cache, "--exit-code", "5"]) == 5
    doc = json.loads(capsys.readouterr().out)
    ids = {(f["package"]["name"], f["id"]) for f in doc["findings"]}
    assert ids == {
        ("coreutils", "CVE-2016-2781"),
        ("coreutils", "CVE-2017-18018"),
        ("perl-base", "CVE-2011-4116"),
        ("perl-base", "CVE-2023-31484"),
    }
    cpan = next(f for f in doc["findings"] if f["id"] == "CVE-2023-31484")
    assert cpan["fixed_version"] == "5.36.0-7+deb12u1" and "DEBIAN-CVE-2023-31484" in cpan["aliases"]
    assert cpan["cvss_vector"].startswith("CVSS:3.1/") and cpan["severity"] == "HIGH"
    unfixed = next(f for f in doc["findings"] if f["id"] == "CVE-2016-2781")
    assert unfixed["fixed_version"] is None

    ignore = tmp_path / "ignore.yaml"
    ignore.write_text(
        "vulnerabilities:\n"
        "  - id: CVE-2016-2781\n    package: coreutils\n    reason: chroot is not used\n    expires: 2999-01-01\n"
        "  - id: DEBIAN-CVE-2017-18018\n    reason: old exception\n    expires: 2001-01-01\n"
        "  - id: CVE-2011-4116\n    package: other-package\n    reason: does not apply to perl\n"
    )
    vex = tmp_path / "vex.json"
    vex.write_text(
        json.dumps(
            {
                "@context": "https://openvex.dev/ns/v0.2.0",
                "statements": [
                    {
                        "vulnerability": {"name": "CVE-2023-31484"},
                        "products": [{"@id": "pkg:deb/debian/perl-base?arch=amd64"}],
                        "status": "not_affected",
                        "justification": "vulnerable_code_not_in_execute_path",
                    }
                ],
            }
        )
    )
    assert main(["fs", str(root), *cache, "--ignorefile", str(ignore), "--vex", str(vex)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {f["id"] for f in doc["findings"]} == {"CVE-2017-18018", "CVE-2011-4116"}
    messages = [i["message"] for i in doc["issues"]]
    assert any("DEBIAN-CVE-2017-18018 expired on 2001-01-01" in m for m in messages)
    assert any("CVE-2023-31484" in m and "vulnerable_code_not_in_execute_path" in m for m in messages)


def test_cyclonedx_vex_and_bad_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _rootfs(tmp_path / "root")
    cache = ["--cache-dir", str(tmp_path / "cache"), "--format", "json"]
    vex = tmp_path / "vex.cdx.json"
    vex.write_text(
        json.dumps(
            {
                "bomFormat": "CycloneDX",
                "specVersion": "1.5",
                "components": [
                    {"bom-ref": "core", "name": "coreutils", "purl": "pkg:deb/debian/coreutils@9.1-1"}
                ],
                "vulnerabilities": [
                    {
                        "id": "CVE-2016-2781",
                        "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
                        "affects": [{"ref": "core"}],
                    }
                ],
            }
        )
    )
    assert main(["fs", str(root), *cache, "--vex", str(vex)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "CVE-2016-2781" not in {f["id"] for f in doc["findings"]}
    image_vex = tmp_path / "image.openvex.json"
    image_vex.write_text(
        json.dumps(
            {
                "@context": "https://openvex.dev/ns/v0.2.0",
                "statements": [
                    {
                        "vulnerability": {"name": "CVE-2011-4116"},
                        "status": "not_affected",
                        "products": [{"@id": "pkg:oci/demo@sha256%3Aabc"}],
                        "justification": "component_not_present",
                    }
                ],
            }
        )
    )
    assert main(["fs", str(root), *cache, "--vex", str(image_vex)]) == 0
    assert "CVE-2011-4116" not in {f["id"] for f in json.loads(capsys.readouterr().out)["findings"]}
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: CVE-1\n  expires: someday\n")
    code = main(["fs", str(root), *cache, "--ignorefile", str(bad)])
    err = capsys.readouterr().err
    assert code == 2 and "entry 1" in err and "YYYY-MM-DD" in err and "Traceback" not in err


def test_invalid_installed_version_is_reported_not_matched(tmp_path: Path) -> None:
    from hullguard.matchers.match import Matcher
    from hullguard.model import Package
    from hullguard.vulndb import store
    from hullguard.vulndb.importer import import_locations

    db = tmp_path / "db.sqlite"
    import_locations(db, [bundled_dir()])
    bad = Package(
        type=PackageType.PYPI, name="urllib3", version="one point two", path="site-packages/urllib3/METADATA"
    )
    good = Package(type=PackageType.PYPI, name="urllib3", version="1.26.18")
    with store.opened(db) as conn:
        findings, issues = Matcher(conn).match([bad, good], None)
    assert [i.message for i in issues] == [
        "urllib3: version 'one point two' is not a valid pep440 version; not matched"
    ]
    assert issues[0].path == "site-packages/urllib3/METADATA"
    # 1.26.18 is past every 1.26 fix in the bundled set except the two later ones.
    assert {f.id for f in findings} == {"CVE-2024-37891", "CVE-2025-50181"}


def test_unusable_cache_dir_is_an_issue_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _rootfs(tmp_path / "root")
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    assert main(["fs", str(root), "--cache-dir", str(not_a_dir), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["findings"] == [] and any("vulnerability database" in i["message"] for i in doc["issues"])


def test_severity_and_ignore_unfixed_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _rootfs(tmp_path / "root")
    cache = ["--cache-dir", str(tmp_path / "cache"), "--format", "json"]
    assert main(["fs", str(root), *cache, "--ignore-unfixed"]) == 0
    assert {f["id"] for f in json.loads(capsys.readouterr().out)["findings"]} == {"CVE-2023-31484"}
    assert main(["fs", str(root), *cache, "--severity", "MEDIUM,LOW", "--exit-code", "1"]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    assert {f["severity"] for f in found} == {"MEDIUM"} and {f["id"] for f in found} == {
        "CVE-2016-2781",
        "CVE-2017-18018",
    }


def _annotated_layout(image: BuiltImage, dest: Path, annotations: dict[str, str]) -> str:
    """A copy of the demo OCI layout (blobs hard-linked) whose manifest carries ANNOTATIONS."""
    import hashlib

    subprocess.run(["cp", "-al", str(image.oci_dir), str(dest)], check=True)
    index = json.loads((dest / "index.json").read_text())
    desc = index["manifests"][0]
    algo, hexdigest = desc["digest"].split(":")
    manifest = json.loads((dest / "blobs" / algo / hexdigest).read_text())
    manifest["annotations"] = {**manifest.get("annotations", {}), **annotations}
    raw = json.dumps(manifest).encode()
    digest = hashlib.sha256(raw).hexdigest()
    (dest / "blobs/sha256" / digest).write_bytes(raw)
    desc.update(digest=f"sha256:{digest}", size=len(raw))
    (dest / "index.json").unlink()  # a hard link to the cached layout's file: replace, never edit
    (dest / "index.json").write_text(json.dumps(index))
    return f"oci:{dest}:{image.tag}"


@pytest.mark.integration
def test_base_image_from_the_manifest_annotation(demo_image: BuiltImage, tmp_path: Path) -> None:
    base = _base_only(demo_image.archive, tmp_path / "base.tar")
    ref = _annotated_layout(
        demo_image, tmp_path / "layout", {"org.opencontainers.image.base.name": str(base)}
    )
    report = scan(
        ImageTarget(ref=ref), ScanOptions(scanners=frozenset({"vuln"}), cache_dir=tmp_path / "cache")
    )
    debs = [f for f in report.findings if f.kind == "vulnerability" and f.package.type is PackageType.DEB]
    assert debs and all(f.in_base_image is True for f in debs)
    # An annotation naming something that cannot be opened is an issue, not a failure.
    ref = _annotated_layout(
        demo_image, tmp_path / "layout2", {"org.opencontainers.image.base.name": str(tmp_path / "gone.tar")}
    )
    report = scan(
        ImageTarget(ref=ref), ScanOptions(scanners=frozenset({"vuln"}), cache_dir=tmp_path / "cache")
    )
    assert report.findings and all(
        f.in_base_image is None for f in report.findings if f.kind == "vulnerability"
    )
    assert any(i.message.startswith("base image:") for i in report.issues)
