"""Where to look a package up: its OSV ecosystem(s), name(s), version and version scheme.

Distro packages are looked up by their source package within the release's ecosystem
(`Debian:12`, `Alpine:v3.19`, `AlmaLinux:9`, `Ubuntu:22.04[:LTS]`); AlmaLinux and Rocky
records name binary rpms, so rpm packages are looked up by both names.
"""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.model import OS, Package, PackageType
from hullguard.versions import scheme_for
from hullguard.versions.base import Scheme

LANGUAGE_ECOSYSTEMS = {
    PackageType.PYPI: "PyPI",
    PackageType.NPM: "npm",
    PackageType.GOLANG: "Go",
    PackageType.MAVEN: "Maven",
    PackageType.GEM: "RubyGems",
    PackageType.CARGO: "crates.io",
    PackageType.COMPOSER: "Packagist",
    PackageType.NUGET: "NuGet",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    ecosystems: tuple[str, ...]
    names: tuple[str, ...]
    version: str
    scheme: Scheme


def os_ecosystems(os: OS | None) -> tuple[str, ...]:
    if os is None or (not os.version and os.family not in ("wolfi", "chainguard")):
        return ()
    release = os.release  # Debian 12.5 -> 12, Alpine 3.19.1 -> 3.19, Ubuntu 22.04 stays
    match os.family:
        case "debian":
            return (f"Debian:{release}",)
        case "ubuntu":
            return (f"Ubuntu:{release}", f"Ubuntu:{release}:LTS")
        case "alpine":
            return (f"Alpine:v{release}",)
        case "almalinux":
            return (f"AlmaLinux:{release}",)
        case "rocky":
            return (f"Rocky Linux:{release}",)
        case "wolfi":
            return ("Wolfi",)
        case "chainguard":
            return ("Chainguard",)
        case _:
            return ()


def target_for(package: Package, os: OS | None) -> Target | None:
    if package.type.is_os:
        ecosystems = os_ecosystems(os)
        if not ecosystems:
            return None
        if package.type is PackageType.DEB:
            names: tuple[str, ...] = (package.source_name or package.name,)
            version = package.source_version or package.version
        elif package.type is PackageType.APK:
            names = tuple(dict.fromkeys((package.source_name or package.name, package.name)))
            version = package.version
        else:
            names = tuple(dict.fromkeys(n for n in (package.name, package.source_name) if n))
            version = package.version
    else:
        ecosystem = LANGUAGE_ECOSYSTEMS.get(package.type)
        if ecosystem is None:
            return None
        ecosystems, names, version = (ecosystem,), (package.name,), package.version
        if package.type is PackageType.GOLANG:
            if version in ("(devel)", ""):
                return None  # a main module built from a checkout: nothing to compare
            if package.name in ("stdlib", "toolchain") and version.startswith("go"):
                version = version[2:]  # Go's own releases: OSV writes 1.21.0, binaries say go1.21.0
    scheme = scheme_for(ecosystems[0])
    if scheme is None:
        return None
    return Target(ecosystems=ecosystems, names=names, version=version, scheme=scheme)
