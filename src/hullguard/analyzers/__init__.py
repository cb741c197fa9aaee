"""Analyzers read files from a tree and return inventory: OS, OS packages, language packages.

Adding an analyzer is one module, its spec in `specs`, and one line in `ANALYZERS`. Each is
imported the first time it has a file to read (see `specs`).
"""

from __future__ import annotations

from hullguard.analyzers import specs
from hullguard.analyzers.base import Analyzer, Deferred

_M = "hullguard.analyzers"

ANALYZERS: tuple[Analyzer, ...] = (
    Deferred(specs.OS_RELEASE, f"{_M}.os_release:OsReleaseAnalyzer"),
    Deferred(specs.APK, f"{_M}.apk:ApkAnalyzer"),
    Deferred(specs.DPKG, f"{_M}.dpkg:DpkgAnalyzer"),
    Deferred(specs.RPM, f"{_M}.rpm:RpmAnalyzer"),
    Deferred(specs.PYTHON_INSTALLED, f"{_M}.python:PythonAnalyzer"),
    Deferred(specs.PYTHON_LOCK, f"{_M}.python_lock:PythonLockAnalyzer"),
    Deferred(specs.PIP_REQUIREMENTS, f"{_M}.requirements:RequirementsAnalyzer"),
    Deferred(specs.NPM_INSTALLED, f"{_M}.npm:NpmAnalyzer"),
    Deferred(specs.NPM_LOCK, f"{_M}.npm_lock:NpmLockAnalyzer"),
    Deferred(specs.YARN, f"{_M}.yarn:YarnAnalyzer"),
    Deferred(specs.PNPM, f"{_M}.pnpm:PnpmAnalyzer"),
    Deferred(specs.JAVA_ARCHIVE, f"{_M}.java:JavaAnalyzer"),
    Deferred(specs.GEMSPEC, f"{_M}.ruby:GemspecAnalyzer"),
    Deferred(specs.GEMFILE_LOCK, f"{_M}.ruby:GemfileLockAnalyzer"),
    Deferred(specs.CARGO_LOCK, f"{_M}.cargo:CargoLockAnalyzer"),
    Deferred(specs.COMPOSER_LOCK, f"{_M}.php:ComposerLockAnalyzer"),
    Deferred(specs.COMPOSER_INSTALLED, f"{_M}.php:ComposerInstalledAnalyzer"),
    Deferred(specs.DOTNET, f"{_M}.dotnet:DotnetAnalyzer"),
    Deferred(specs.GO_BINARY, f"{_M}.go_binary:GoBinaryAnalyzer"),
    Deferred(specs.RUST_BINARY, f"{_M}.rust_binary:RustBinaryAnalyzer"),
    Deferred(specs.RPM_MANIFEST, f"{_M}.rpm_manifest:RpmManifestAnalyzer"),
)
