"""Operating system family and release, from os-release and the older release files."""

from __future__ import annotations

import re
import shlex

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.eol import lookup_eol
from hullguard.errors import Error
from hullguard.model import OS, Inventory
from hullguard.sources.tree import EntryType, resolve

_REDHAT = re.compile(
    r"^(?P<name>[A-Za-z ]+?)(?: Linux)?(?: AMI)?(?: Server)? release (?P<version>\d[\d.]*)(?:\s|$)"
)
_FAMILIES = {
    "rhel": "redhat",
    "centos": "centos",
    "almalinux": "almalinux",
    "rocky": "rocky",
    "amzn": "amazon",
    "ol": "oracle",
    "sles": "suse",
    "sle-micro": "suse.micro",
    "opensuse-leap": "opensuse.leap",
    "opensuse-tumbleweed": "opensuse.tumbleweed",
    "chainguard": "chainguard",
    "wolfi": "wolfi",
    "mariner": "cbl-mariner",
    "azurelinux": "azurelinux",
    "photon": "photon",
    "fedora": "fedora",
}
_RELEASE_FILE_FAMILIES = (
    ("centos", "centos"),
    ("rocky", "rocky"),
    ("alma", "almalinux"),
    ("fedora", "fedora"),
    ("oracle", "oracle"),
    ("amazon", "amazon"),
)
_MORE_PRECISE = {
    "debian": ("etc/debian_version",),
    "centos": ("etc/centos-release", "etc/redhat-release"),
    "redhat": ("etc/redhat-release",),
    "rocky": ("etc/rocky-release", "etc/redhat-release"),
    "almalinux": ("etc/almalinux-release", "etc/redhat-release"),
    "oracle": ("etc/oracle-release",),
}
"""Files that may hold a longer version than os-release's VERSION_ID (Debian `12` vs `12.5`)."""


class OsReleaseAnalyzer:
    """OS family and version; os-release first, then the distro-specific release files."""

    spec = specs.OS_RELEASE

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        text = file.read_text()
        name = file.path.rpartition("/")[2]
        found: OS | None
        if name == "os-release":
            found = parse_os_release(text)
            if found is not None:
                found = _refine(found, ctx)
        elif name == "alpine-release":
            found = _plain("alpine", text)
        elif name == "debian_version":
            found = _plain("debian", text)
        elif name == "lsb-release":
            found = parse_lsb_release(text)
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
    fields = _assignments(text)
    os_id = fields.get("ID", "").lower()
    if not os_id:
        return None
    version = fields.get("VERSION_ID", "")
    family = _FAMILIES.get(os_id, os_id)
    if family == "alpine":
        version = ".".join(version.split(".")[:3])
    return OS(family=family, version=version, name=fields.get("PRETTY_NAME") or fields.get("NAME"))


def parse_lsb_release(text: str) -> OS | None:
    """Ubuntu's `etc/lsb-release`: DISTRIB_ID and DISTRIB_RELEASE."""
    fields = _assignments(text)
    family, version = fields.get("DISTRIB_ID", "").lower(), fields.get("DISTRIB_RELEASE", "")
    if not family or not version:
        return None
    return OS(family=family, version=version, name=fields.get("DISTRIB_DESCRIPTION"))


def parse_redhat_release(text: str) -> OS | None:
    """`Rocky Linux release 9.3 (Blue Onyx)`, `Amazon Linux release 2 (Karoo)` and their kin."""
    match = _REDHAT.match(text.strip())
    if not match:
        return None
    name = match.group("name").strip().lower()
    family = next((f for word, f in _RELEASE_FILE_FAMILIES if word in name), "redhat")
    return OS(family=family, version=match.group("version"), name=text.strip().splitlines()[0])


def _assignments(text: str) -> dict[str, str]:
    """Shell-style `KEY=value` lines, quotes removed, as os-release(5) defines them."""
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
    return fields


def _refine(found: OS, ctx: AnalysisContext) -> OS:
    """A longer version of the same release from the distro's own file, as Trivy reports it.

    Debian's os-release says `12` while `etc/debian_version` says `12.5`; CentOS 7 says `7`
    where centos-release says `7.9.2009`. Debian testing has no VERSION_ID at all.
    """
    for path in _MORE_PRECISE.get(found.family, ()):
        text = _read(ctx, path)
        if text is None:
            continue
        other = _plain(found.family, text) if found.family == "debian" else parse_redhat_release(text)
        if other is None:
            continue
        if other.version.startswith(f"{found.version}.") or (not found.version and found.family == "debian"):
            return OS(family=found.family, version=other.version, name=found.name)
    return found


def _read(ctx: AnalysisContext, path: str) -> str | None:
    entry = resolve(ctx.tree, path)
    if entry is None or entry.type is not EntryType.FILE or entry.size > 64 << 10:
        return None
    try:
        return ctx.tree.read_bytes(entry).decode("utf-8", errors="replace")
    except Error:
        return None


def _plain(family: str, text: str) -> OS | None:
    version = text.strip().splitlines()[0].strip() if text.strip() else ""
    return OS(family=family, version=version) if version else None
