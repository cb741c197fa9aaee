"""Which files each analyzer reads, declared apart from the analyzers themselves.

The layer reader needs every spec before it reads a layer (its prefilter decides which files
keep their content), but an analyzer's code is needed only when one of its files is there:
`ANALYZERS` holds these specs with the analyzers' import paths, and an analyzer's module is
imported the first time it has a file to read (an image with no jar imports no zip reader).
"""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.analyzers.base import AnalyzerId, AnalyzerKind, AnalyzerSpec
from hullguard.sources.tree import FileEntry

MAX_BINARY = 1 << 30
"""Binaries are read in parts (headers, one section), so their analyzers take any size up to
this: kubectl, terraform or k3s run from 50 to over 100 MB."""
JAVA_ARCHIVES = (".jar", ".war", ".ear", ".jpi", ".hpi", ".par", ".sar")
RPM_DATABASES = (
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "var/lib/rpm/rpmdb.sqlite",
    "usr/share/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages.db",
    "var/lib/rpm/Packages.db",
    "usr/share/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages",
    "var/lib/rpm/Packages",
    "usr/share/rpm/Packages",
)
"""Where rpm keeps its database (usr/share/rpm on rpm-ostree systems), newest backend first.
Only the first one present is read: a converted image can keep the old backend's file next
to the live one."""
RPM_WAL = "-wal"


def is_package_folder(path: str) -> bool:
    """`.../node_modules/<name>/package.json` or `.../node_modules/@scope/<name>/package.json`."""
    if not path.endswith("/package.json"):
        return False
    parts = path.split("/")
    if len(parts) >= 3 and parts[-3] == "node_modules" and not parts[-2].startswith("@"):
        return True
    return len(parts) >= 4 and parts[-4] == "node_modules" and parts[-3].startswith("@")


@dataclass(frozen=True, slots=True, kw_only=True)
class InstalledManifestSpec(AnalyzerSpec):
    """Only package folders' manifests: an image keeps the content of what analyzers want, and
    big packages carry dozens of `dist/*/package.json` files that describe no package."""

    def matches(self, entry: FileEntry) -> bool:
        return entry.size <= self.max_size and is_package_folder(entry.path)


@dataclass(frozen=True, slots=True, kw_only=True)
class RequirementsSpec(AnalyzerSpec):
    """Names are free-form (`requirements-dev.txt`, `requirements/prod.txt`), so match by shape."""

    def matches(self, entry: FileEntry) -> bool:
        folder, _, name = entry.path.rpartition("/")
        if entry.size > self.max_size or not name.endswith(".txt"):
            return False
        return name.startswith("requirements") or folder.rpartition("/")[2] == "requirements"


LANGUAGE, OS_PACKAGES = AnalyzerKind.LANGUAGE, AnalyzerKind.OS_PACKAGES

OS_RELEASE = AnalyzerSpec(
    id=AnalyzerId("os-release"),
    kind=AnalyzerKind.OS,
    version=2,
    paths=(
        "etc/os-release",
        "usr/lib/os-release",
        "etc/alpine-release",
        "etc/lsb-release",
        "etc/debian_version",
        "etc/centos-release",
        "etc/rocky-release",
        "etc/almalinux-release",
        "etc/oracle-release",
        "etc/fedora-release",
        "etc/redhat-release",
        "etc/system-release",
    ),
    max_size=64 << 10,
)
APK = AnalyzerSpec(id=AnalyzerId("apk"), kind=OS_PACKAGES, version=2, paths=("lib/apk/db/installed",))
DPKG = AnalyzerSpec(
    id=AnalyzerId("dpkg"),
    kind=OS_PACKAGES,
    version=2,
    paths=("var/lib/dpkg/status",),
    prefixes=("var/lib/dpkg/status.d/",),
    basenames=("copyright",),
)
RPM = AnalyzerSpec(
    id=AnalyzerId("rpm"),
    kind=OS_PACKAGES,
    version=2,
    paths=RPM_DATABASES + tuple(p + RPM_WAL for p in RPM_DATABASES if p.endswith(".sqlite")),
    max_size=512 << 20,
)
RPM_MANIFEST = AnalyzerSpec(
    id=AnalyzerId("rpm-manifest"),
    kind=OS_PACKAGES,
    version=1,
    paths=("var/lib/rpmmanifest/container-manifest-2",),
    max_size=16 << 20,
)
PYTHON_INSTALLED = AnalyzerSpec(
    id=AnalyzerId("python-installed"),
    kind=LANGUAGE,
    version=1,
    suffixes=(".dist-info/METADATA", ".egg-info/PKG-INFO", ".egg-info", "/EGG-INFO/PKG-INFO"),
    max_size=16 << 20,
)
PYTHON_LOCK = AnalyzerSpec(
    id=AnalyzerId("python-lock"),
    kind=LANGUAGE,
    version=1,
    basenames=("poetry.lock", "uv.lock", "Pipfile.lock"),
    pre_build=True,
)
PIP_REQUIREMENTS: AnalyzerSpec = RequirementsSpec(
    id=AnalyzerId("pip-requirements"),
    kind=LANGUAGE,
    version=1,
    suffixes=(".txt",),  # what a quick prefilter over all specs sees; `matches` decides
    max_size=4 << 20,
    pre_build=True,
)
NPM_INSTALLED: AnalyzerSpec = InstalledManifestSpec(
    id=AnalyzerId("npm-installed"), kind=LANGUAGE, version=1, basenames=("package.json",), max_size=4 << 20
)
NPM_LOCK = AnalyzerSpec(
    id=AnalyzerId("npm-lock"),
    kind=LANGUAGE,
    version=1,
    basenames=("package-lock.json", "npm-shrinkwrap.json"),
    pre_build=True,
)
YARN = AnalyzerSpec(id=AnalyzerId("yarn"), kind=LANGUAGE, version=1, basenames=("yarn.lock",), pre_build=True)
PNPM = AnalyzerSpec(id=AnalyzerId("pnpm"), kind=LANGUAGE, version=1, basenames=("pnpm-lock.yaml",), pre_build=True)
JAVA_ARCHIVE = AnalyzerSpec(
    id=AnalyzerId("java-archive"),
    kind=LANGUAGE,
    version=1,
    suffixes=(*JAVA_ARCHIVES, "/pom.properties"),
    max_size=256 << 20,
)
GEMSPEC = AnalyzerSpec(id=AnalyzerId("gemspec"), kind=LANGUAGE, version=1, suffixes=(".gemspec",), max_size=4 << 20)
GEMFILE_LOCK = AnalyzerSpec(
    id=AnalyzerId("gemfile-lock"), kind=LANGUAGE, version=1, basenames=("Gemfile.lock", "gems.locked"), pre_build=True
)
CARGO_LOCK = AnalyzerSpec(id=AnalyzerId("cargo-lock"), kind=LANGUAGE, version=1, basenames=("Cargo.lock",))
COMPOSER_LOCK = AnalyzerSpec(
    id=AnalyzerId("composer-lock"), kind=LANGUAGE, version=1, basenames=("composer.lock",), pre_build=True
)
COMPOSER_INSTALLED = AnalyzerSpec(
    id=AnalyzerId("composer-installed"), kind=LANGUAGE, version=1, suffixes=("vendor/composer/installed.json",)
)
DOTNET = AnalyzerSpec(
    id=AnalyzerId("dotnet"), kind=LANGUAGE, version=1, basenames=("packages.lock.json",), suffixes=(".deps.json",)
)
GO_BINARY = AnalyzerSpec(id=AnalyzerId("go-binary"), kind=LANGUAGE, version=2, executables=True, max_size=MAX_BINARY)
RUST_BINARY = AnalyzerSpec(
    id=AnalyzerId("rust-binary"), kind=LANGUAGE, version=2, executables=True, max_size=MAX_BINARY
)
