"""SBOM input: CycloneDX JSON and SPDX 2.x JSON (including Trivy's and Syft's) -> an inventory.

Packages come from their purls; the OS from an `operating-system` component (CycloneDX) or
package (SPDX), else from a distro purl qualifier; source packages from Trivy's `SrcName`
properties (and hullguard's own `hullguard:` ones), Syft's `upstream` qualifier or SPDX `sourceInfo`; layers from Trivy's
`LayerDiffID`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packageurl import PackageURL

from hullguard.errors import SourceError
from hullguard.model import OS, Digest, Inventory, Issue, Package, PackageType
from hullguard.sources.tree import FileEntry

MAX_SBOM = 256 << 20
_SOURCE_INFO = re.compile(r"built package from:\s*(?P<name>\S+)(?:\s+(?P<version>\S+))?")
_TYPES = {t.value: t for t in PackageType}
_OS_FAMILIES = {
    "rhel": "redhat",
    "rocky": "rocky",
    "almalinux": "almalinux",
    "amzn": "amazon",
    "ol": "oracle",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Sbom:
    name: str
    format: str
    inventory: Inventory
    issues: tuple[Issue, ...] = ()


def read_sbom(path: Path) -> Sbom:
    try:
        if path.stat().st_size > MAX_SBOM:
            raise SourceError(f"{path}: larger than the {MAX_SBOM} byte cap for an SBOM")
        doc = json.loads(path.read_bytes())
    except OSError as e:
        raise SourceError(f"{path}: cannot read: {e}") from e
    except json.JSONDecodeError as e:
        raise SourceError(f"{path}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}") from e
    except UnicodeDecodeError as e:
        raise SourceError(f"{path}: not UTF-8 text: {e}") from e
    if isinstance(doc, dict) and doc.get("bomFormat") == "CycloneDX":
        return _cyclonedx(doc, path)
    if isinstance(doc, dict) and str(doc.get("spdxVersion", "")).startswith("SPDX-"):
        return _spdx(doc, path)
    raise SourceError(
        f"{path}: not a CycloneDX JSON (`bomFormat`) or SPDX JSON (`spdxVersion`) document; "
        "only the JSON forms of both are read"
    )


def _props(item: dict[str, Any]) -> dict[str, str]:
    return {
        str(p.get("name")): str(p.get("value")) for p in item.get("properties") or () if isinstance(p, dict)
    }


def _cyclonedx(doc: dict[str, Any], path: Path) -> Sbom:
    meta = (doc.get("metadata") or {}).get("component") or {}
    os: OS | None = None
    packages: list[Package] = []
    issues: list[Issue] = []
    stack = list(doc.get("components") or ())
    while stack:
        component = stack.pop(0)
        if not isinstance(component, dict):
            continue
        stack.extend(component.get("components") or ())
        if component.get("type") == "operating-system":
            os = os or _os(str(component.get("name", "")), str(component.get("version", "")))
            continue
        purl = component.get("purl")
        if not isinstance(purl, str):
            continue
        props = _props(component)
        source = (
            props.get("hullguard:source_name")
            or props.get("aquasecurity:trivy:SrcName")
            or props.get("syft:metadata:source")
        )
        source_version = (
            props.get("hullguard:source_version")
            or _trivy_source_version(props)
            or props.get("syft:metadata:sourceVersion")
        )
        package = _package(
            purl,
            path,
            issues,
            source,
            source_version,
            props.get("hullguard:layer_diff_id") or props.get("aquasecurity:trivy:LayerDiffID"),
            props.get("hullguard:file_path")
            or props.get("aquasecurity:trivy:FilePath")
            or props.get("syft:location:0:path"),
            props.get("hullguard:modularity_label") or props.get("aquasecurity:trivy:Modularitylabel"),
        )
        if package is not None:
            packages.append(package)
    return Sbom(
        name=str(meta.get("name") or path.name),
        format="cyclonedx",
        inventory=Inventory(packages=tuple(packages), os=os or _os_from_purls(packages)),
        issues=tuple(issues),
    )


def _trivy_source_version(props: dict[str, str]) -> str | None:
    version = props.get("aquasecurity:trivy:SrcVersion")
    if not version:
        return None
    release = props.get("aquasecurity:trivy:SrcRelease")
    epoch = props.get("aquasecurity:trivy:SrcEpoch")
    full = f"{version}-{release}" if release else version
    return f"{epoch}:{full}" if epoch and epoch != "0" else full


def _spdx(doc: dict[str, Any], path: Path) -> Sbom:
    os: OS | None = None
    packages: list[Package] = []
    issues: list[Issue] = []
    for item in doc.get("packages") or ():
        if not isinstance(item, dict):
            continue
        if item.get("primaryPackagePurpose") == "OPERATING-SYSTEM":
            os = os or _os(str(item.get("name", "")), str(item.get("versionInfo", "")))
            continue
        purl = next(
            (
                ref.get("referenceLocator")
                for ref in item.get("externalRefs") or ()
                if isinstance(ref, dict) and ref.get("referenceType") == "purl"
            ),
            None,
        )
        if not isinstance(purl, str):
            continue
        notes = {}
        for note in item.get("annotations") or ():
            key, _, value = (
                str(note.get("comment", "")).partition(": ") if isinstance(note, dict) else ("", "", "")
            )
            notes[key] = value
        for line in str(item.get("comment") or "").splitlines():  # hullguard's own facts
            key, _, value = line.partition(": ")
            notes.setdefault(key, value)
        match = _SOURCE_INFO.match(str(item.get("sourceInfo") or ""))
        source = notes.get("SrcName") or (match.group("name") if match else None)
        source_version = match.group("version") if match else None
        label = notes.get("hullguard:modularity_label") or notes.get("Modularitylabel")
        package = _package(purl, path, issues, source, source_version, notes.get("LayerDiffID"), None, label)
        if package is not None:
            packages.append(package)
    return Sbom(
        name=str(doc.get("name") or path.name),
        format="spdx",
        inventory=Inventory(packages=tuple(packages), os=os or _os_from_purls(packages)),
        issues=tuple(issues),
    )


def _package(
    text: str,
    path: Path,
    issues: list[Issue],
    source: str | None,
    source_version: str | None,
    layer: str | None,
    file: str | None = None,
    modularity_label: str | None = None,
) -> Package | None:
    try:
        purl = PackageURL.from_string(text)
    except ValueError as e:
        issues.append(Issue(stage="sbom", path=str(path), message=f"invalid purl {text!r}: {e}"))
        return None
    kind = _TYPES.get(purl.type)
    if kind is None or not purl.version:
        return None
    qualifiers = purl.qualifiers if isinstance(purl.qualifiers, dict) else {}
    name, version = purl.name, purl.version
    match kind:
        case PackageType.NPM | PackageType.GOLANG | PackageType.COMPOSER if purl.namespace:
            name = f"{purl.namespace}/{purl.name}"
        case PackageType.MAVEN if purl.namespace:
            name = f"{purl.namespace}:{purl.name}"
        case PackageType.RPM | PackageType.DEB if qualifiers.get("epoch") and qualifiers["epoch"] != "0":
            version = f"{qualifiers['epoch']}:{version}"
    upstream = qualifiers.get("upstream")
    if upstream and not source:
        source, _, upstream_version = upstream.partition("@")
        source_version = source_version or upstream_version or None
    return Package(
        type=kind,
        name=name,
        version=version,
        purl=text,
        source_name=source or (name if kind.is_os else None),
        source_version=source_version or (version if kind.is_os else None),
        arch=qualifiers.get("arch"),
        layer=Digest(layer) if layer else None,
        path=file,
        modularity_label=modularity_label or None,
    )


def _os(name: str, version: str) -> OS | None:
    family = name.strip().lower()
    if not family:
        return None
    return OS(family=_OS_FAMILIES.get(family, family), version=version.strip())


def _os_from_purls(packages: list[Package]) -> OS | None:
    """`distro=debian-12.5` (deb, rpm) or the namespace plus `distro=3.19.1` (apk)."""
    for package in packages:
        if not package.type.is_os:
            continue
        purl = PackageURL.from_string(package.purl)
        qualifiers = purl.qualifiers if isinstance(purl.qualifiers, dict) else {}
        distro = qualifiers.get("distro")
        if not distro:
            continue
        family, sep, version = distro.partition("-")
        if sep and not family[:1].isdigit():
            return _os(family, version)
        return _os(purl.namespace or "", distro)
    return None


class EmptyTree:
    """The file tree of an SBOM scan: there are no files, only the inventory."""

    def entries(self) -> Iterator[FileEntry]:
        return iter(())

    def lookup(self, path: str) -> FileEntry | None:
        return None

    def read_bytes(self, entry: FileEntry) -> bytes:
        raise SourceError(f"{entry.path}: an SBOM has no file contents")
