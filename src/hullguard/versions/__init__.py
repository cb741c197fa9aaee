"""Version ordering per ecosystem: `scheme_for("Debian:12").parse("1.2-3")` never raises."""

from __future__ import annotations

from hullguard.versions import apk, dpkg, maven, nuget, numeric, packagist, pep440, rpm, rubygems, semver
from hullguard.versions.base import Scheme, Version

# OSV ecosystem names (the part before any `:release`) to the scheme that orders their versions.
SCHEMES: dict[str, Scheme] = {
    "Debian": dpkg.SCHEME,
    "Ubuntu": dpkg.SCHEME,
    "Alpine": apk.SCHEME,
    "Wolfi": apk.SCHEME,
    "Chainguard": apk.SCHEME,
    "AlmaLinux": rpm.SCHEME,
    "Rocky Linux": rpm.SCHEME,
    "Red Hat": rpm.SCHEME,
    "openSUSE": rpm.SCHEME,
    "SUSE": rpm.SCHEME,
    "Mageia": rpm.SCHEME,
    "Photon OS": rpm.SCHEME,
    "Azure Linux": rpm.SCHEME,
    "openEuler": rpm.SCHEME,
    "PyPI": pep440.SCHEME,
    "npm": semver.SCHEME,
    "crates.io": semver.SCHEME,
    "Hex": semver.SCHEME,
    "Go": semver.GO,
    "Pub": semver.PUB,
    "NuGet": nuget.SCHEME,
    "Packagist": packagist.SCHEME,
    "Maven": maven.SCHEME,
    "RubyGems": rubygems.SCHEME,
    "CRAN": numeric.CRAN,
    "Hackage": numeric.HACKAGE,
}


def base_ecosystem(ecosystem: str) -> str:
    """`Debian:12` -> `Debian`; `Alpine:v3.19` -> `Alpine`."""
    return ecosystem.partition(":")[0]


def scheme_for(ecosystem: str) -> Scheme | None:
    return SCHEMES.get(base_ecosystem(ecosystem))


__all__ = ["SCHEMES", "Scheme", "Version", "base_ecosystem", "scheme_for"]
