"""Packages and the inventory of an artifact."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import NewType

Digest = NewType("Digest", str)
_MINOR_RELEASES = frozenset({"alpine", "ubuntu", "suse", "opensuse.leap"})
"""OS families whose releases are major.minor; the others' are the major version."""


class PackageType(StrEnum):
    DEB = "deb"
    APK = "apk"
    RPM = "rpm"
    PYPI = "pypi"
    NPM = "npm"
    GOLANG = "golang"
    MAVEN = "maven"
    GEM = "gem"
    CARGO = "cargo"
    COMPOSER = "composer"
    NUGET = "nuget"

    @property
    def is_os(self) -> bool:
        return self in (PackageType.DEB, PackageType.APK, PackageType.RPM)


@dataclass(frozen=True, slots=True, kw_only=True)
class Package:
    """One installed package. `version` is the full version as its ecosystem writes it
    (dpkg `[epoch:]upstream[-revision]`, rpm `[epoch:]version-release`)."""

    type: PackageType
    name: str
    version: str
    purl: str = ""
    source_name: str | None = None
    source_version: str | None = None
    arch: str | None = None
    licenses: tuple[str, ...] = ()
    layer: Digest | None = None
    path: str | None = None
    """The file the package was read from (database, manifest, lock file or binary)."""
    modularity_label: str | None = None
    dependencies: tuple[str, ...] = ()
    dev: bool = False
    """Needed only to develop the project (a lock file's dev group), not to run it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OS:
    family: str
    version: str
    name: str | None = None
    eol: bool | None = None
    eol_date: date | None = None

    @property
    def release(self) -> str:
        """The release as advisory ecosystems name it (`12`, `3.19`, `9`): Debian 12.5 is
        release 12, Alpine 3.19.1 is 3.19, Ubuntu 22.04 and SLES 15.5 stay as they are."""
        parts = self.version.split(".")
        if self.family in _MINOR_RELEASES or (self.family == "amazon" and self.version.startswith("2018")):
            return ".".join(parts[:2])
        return parts[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class Inventory:
    packages: tuple[Package, ...] = ()
    os: OS | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())
    """Facts an analyzer found that are not packages: (kind, value)."""
