"""Package URLs (purl) for every package type, with distro qualifiers for OS packages."""

from __future__ import annotations

import dataclasses
import re

from packageurl import PackageURL

from hullguard.model import OS, Inventory, Package, PackageType

_PYPI_NAME = re.compile(r"[-_.]+")


def to_purl(package: Package, os: OS | None) -> str:
    namespace: str | None = None
    name = package.name
    version = package.version
    qualifiers: dict[str, str] = {}
    match package.type:
        case PackageType.DEB | PackageType.APK | PackageType.RPM:
            namespace = os.family if os else None
            if package.arch:
                qualifiers["arch"] = package.arch
            if package.type is PackageType.RPM and ":" in version:
                epoch, _, version = version.partition(":")
                qualifiers["epoch"] = epoch
            if os is not None:
                qualifiers["distro"] = (
                    f"{os.family}-{os.version}" if package.type is not PackageType.APK else os.version
                )
        case PackageType.PYPI:
            name = _PYPI_NAME.sub("-", name).lower()
        case PackageType.NPM:
            if name.startswith("@") and "/" in name:
                namespace, _, name = name.partition("/")
        case PackageType.GOLANG | PackageType.COMPOSER:
            if "/" in name:
                namespace, _, name = name.rpartition("/")
        case PackageType.MAVEN:
            if ":" in name:
                namespace, _, name = name.partition(":")
        case PackageType.GEM | PackageType.CARGO | PackageType.NUGET:
            pass
    return str(
        PackageURL(
            type=package.type.value,
            namespace=namespace,
            name=name,
            version=version,
            qualifiers=qualifiers or None,
        )
    )


def with_purls(inventory: Inventory) -> Inventory:
    """Fill in each package's purl, now that the OS (for distro qualifiers) is known."""
    packages = tuple(
        p if p.purl else dataclasses.replace(p, purl=to_purl(p, inventory.os)) for p in inventory.packages
    )
    return dataclasses.replace(inventory, packages=packages)
