"""Analyzers read files from a tree and return inventory: OS, OS packages, language packages.

Adding an analyzer is one module plus one line in `ANALYZERS`.
"""

from __future__ import annotations

from hullguard.analyzers.apk import ApkAnalyzer
from hullguard.analyzers.base import Analyzer
from hullguard.analyzers.dpkg import DpkgAnalyzer
from hullguard.analyzers.os_release import OsReleaseAnalyzer
from hullguard.analyzers.rpm import RpmAnalyzer
from hullguard.analyzers.rpm_manifest import RpmManifestAnalyzer

ANALYZERS: tuple[Analyzer, ...] = (
    OsReleaseAnalyzer(),
    ApkAnalyzer(),
    DpkgAnalyzer(),
    RpmAnalyzer(),
    RpmManifestAnalyzer(),
)
