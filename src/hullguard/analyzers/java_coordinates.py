"""Maven coordinates of one Java archive: `pom.properties`, else the manifest and the file name."""

from __future__ import annotations

import re

from hullguard.analyzers.base import FileInput
from hullguard.analyzers.documents import package
from hullguard.model import Package, PackageType

_PROPERTY = re.compile(r"^\s*([^=:\s]+)\s*[=:\s]\s*(.*)$")
_FILENAME = re.compile(r"^(?P<artifact>[A-Za-z0-9_.]+(?:-[A-Za-z][A-Za-z0-9_.]*)*)-(?P<version>\d[\w.+-]*)$")


def from_properties(content: str, where: str, file: FileInput) -> Package | None:
    props = {}
    for line in content.splitlines():
        match = _PROPERTY.match(line)
        if match and not line.lstrip().startswith(("#", "!")):
            props[match.group(1)] = match.group(2).strip()
    group, artifact, version = props.get("groupId"), props.get("artifactId"), props.get("version")
    if not (group and artifact and version):
        return None
    return package(PackageType.MAVEN, f"{group}:{artifact}", version, file, path=where)


def parse_manifest(content: str) -> dict[str, str]:
    """The main section of a JAR manifest; lines wrap at 72 bytes with a leading space."""
    fields: dict[str, str] = {}
    key = None
    for line in content.splitlines():
        if not line:
            break
        if line.startswith(" ") and key:
            fields[key] += line[1:]
        elif ":" in line:
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
    return fields


def from_manifest(fields: dict[str, str], where: str, file: FileInput) -> Package | None:
    """A guess without pom.properties: artifact and version from the file name, else the manifest.
    Titles such as "Java Runtime Environment" are not artifact ids and are not used."""
    named = _FILENAME.match(where.rpartition("/")[2].rsplit(".", 1)[0])
    candidates = (
        named.group("artifact") if named else None,
        fields.get("Bundle-SymbolicName", "").partition(";")[0].strip(),
        fields.get("Implementation-Title"),
    )
    artifact = next((c for c in candidates if c and not any(ch.isspace() for ch in c)), None)
    version = (
        fields.get("Implementation-Version")
        or fields.get("Bundle-Version")
        or (named.group("version") if named else None)
    )
    if not artifact or not version:
        return None
    group = fields.get("Implementation-Vendor-Id")
    return package(PackageType.MAVEN, f"{group}:{artifact}" if group else artifact, version, file, path=where)
