"""Operating system family and release, from os-release and the older release files."""

from __future__ import annotations

import re
import shlex

from hullguard.analyzers.base import AnalysisContext, AnalyzerId, AnalyzerKind, AnalyzerSpec, FileInput
from hullguard.analyzers.eol import lookup_eol
from hullguard.model import OS, Inventory

_REDHAT = re.compile(r"^(?P<name>[A-Za-z ]+?)(?: Linux)?(?: Server)? release (?P<version>[\d.]+)")
_FAMILIES = {
    "rhel": "redhat",
    "centos": "centos",
    "almalinux": "almalinux",
    "rocky": "rocky",
    "amzn": "amazon",
    "ol": "oracle",
    "sles": "suse",
    "opensuse-leap": "opensuse.leap",
    "chainguard": "chainguard",
    "wolfi": "wolfi",
    "mariner": "cbl-mariner",
    "azurelinux": "azurelinux",
    "photon": "photon",
    "fedora": "fedora",
}


class OsReleaseAnalyzer:
    """OS family and version; os-release first, then the distro-specific release files."""

    spec = AnalyzerSpec(
        id=AnalyzerId("os-release"),
        kind=AnalyzerKind.OS,
        version=1,
        paths=(
            "etc/os-release",
            "usr/lib/os-release",
            "etc/alpine-release",
            "etc/debian_version",
            "etc/redhat-release",
            "etc/centos-release",
        ),
        max_size=64 << 10,
    )

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        text = file.read_text()
        name = file.path.rpartition("/")[2]
        found: OS | None
        if name == "os-release":
            found = parse_os_release(text)
        elif name == "alpine-release":
            found = _plain("alpine", text)
        elif name == "debian_version":
            found = _plain("debian", text)
        else:
            found = parse_redhat_release(text)
        if found is None:
            return Inventory()
        eol = lookup_eol(found.family, found.version)
        if eol is not None:
            found = OS(
                family=found.family, version=found.version, name=found.name, eol=eol[0], eol_date=eol[1]
            )
        return Inventory(os=found)


def parse_os_release(text: str) -> OS | None:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if not sep or not key.strip() or key.strip().startswith("#"):
            continue
        try:
            parts = shlex.split(value, posix=True)
        except ValueError:
            parts = [value.strip().strip("\"'")]
        fields[key.strip()] = parts[0] if parts else ""
    os_id = fields.get("ID", "").lower()
    if not os_id:
        return None
    version = fields.get("VERSION_ID", "")
    family = _FAMILIES.get(os_id, os_id)
    if family == "alpine":
        version = ".".join(version.split(".")[:3])
    return OS(family=family, version=version, name=fields.get("PRETTY_NAME") or fields.get("NAME"))


def parse_redhat_release(text: str) -> OS | None:
    match = _REDHAT.match(text.strip())
    if not match:
        return None
    name = match.group("name").strip().lower()
    family = (
        "centos"
        if "centos" in name
        else "rocky"
        if "rocky" in name
        else "almalinux"
        if "alma" in name
        else "redhat"
    )
    return OS(family=family, version=match.group("version"), name=text.strip())


def _plain(family: str, text: str) -> OS | None:
    version = text.strip().splitlines()[0].strip() if text.strip() else ""
    return OS(family=family, version=version) if version else None
