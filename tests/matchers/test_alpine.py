"""Alpine end to end on real data: Trivy's real apk `installed` database (pkgdb conformance) in a
v3.4 root filesystem, against Alpine's real secdb fixes for v3.4 (converted here to OSV
records of ecosystem `Alpine:v3.4`). The expectation is computed in the test with a plain
tuple ordering that is exact for these simple `N.N.N[letter]-rN` versions."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from hullguard.cli.main import main

pytestmark = pytest.mark.conformance
_SIMPLE = re.compile(r"^(\d+(?:\.\d+)*)([a-z]?)(?:-r(\d+))?$")


def _key(version: str) -> tuple:
    match = _SIMPLE.match(version)
    assert match, version
    return tuple(int(n) for n in match.group(1).split(".")), match.group(2), int(match.group(3) or 0)


def test_alpine_rootfs_against_secdb(
    shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "root"
    (root / "lib/apk/db").mkdir(parents=True)
    (root / "etc").mkdir()
    shutil.copyfile(
        shared_dir / "conformance/pkgdb/trivy-apk/lib/apk/db/installed", root / "lib/apk/db/installed"
    )
    (root / "etc/os-release").write_text('ID=alpine\nVERSION_ID=3.4.6\nPRETTY_NAME="Alpine Linux v3.4"\n')
    secdb = yaml.safe_load((shared_dir / "conformance/advisories/alpine-secdb/v3.4/main.yaml").read_text())
    records = tmp_path / "osv"
    records.mkdir()
    fixes: dict[tuple[str, str], list[str]] = {}
    for entry in secdb["packages"]:
        name = entry["pkg"]["name"]
        for fixed, cves in (entry["pkg"].get("secfixes") or {}).items():
            for cve in cves or ():
                fixes.setdefault((name, cve), []).append(str(fixed))
    for (name, cve), fixed in fixes.items():
        ident = f"ALPINE-{name}-{cve}"
        (records / f"{ident}.json").write_text(
            json.dumps(
                {
                    "id": ident,
                    "modified": "2020-06-08T00:00:00Z",
                    "upstream": [cve],
                    "affected": [
                        {
                            "package": {"ecosystem": "Alpine:v3.4", "name": name},
                            "ranges": [
                                {
                                    "type": "ECOSYSTEM",
                                    "events": [{"introduced": "0"}, *({"fixed": f} for f in fixed)],
                                }
                            ],
                        }
                    ],
                }
            )
        )
    cache = tmp_path / "cache"
    assert main(["db", "import", str(records), "--cache-dir", str(cache), "--quiet"]) == 0
    assert main(["fs", str(root), "--cache-dir", str(cache), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    packages = {p["name"]: p for p in doc["packages"]}
    expected = {}
    for (origin, cve), fixed in fixes.items():
        for p in packages.values():
            if p.get("source_name") == origin and _SIMPLE.match(p["version"]):
                above = sorted((f for f in fixed if _key(f) > _key(p["version"])), key=_key)
                if above:
                    expected[(p["name"], cve)] = above[0]
    found = {(f["package"]["name"], f["id"]): f["fixed_version"] for f in doc["findings"]}
    assert found == expected
    assert ("libssl1.0", "CVE-2016-2180") in found and ("libssl1.0", "CVE-2016-2177") not in found
    assert found[("musl", "CVE-2016-8859")] == "1.1.14-r13"
    assert found[("libcrypto1.0", "CVE-2017-3738")] == "1.0.2n-r0"  # listed under two fixes: the lowest
