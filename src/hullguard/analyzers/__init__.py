"""Analyzers read files from a tree and return inventory: OS, OS packages, language packages.

Adding an analyzer is one module plus one line in `ANALYZERS`.
"""

from __future__ import annotations

from hullguard.analyzers.apk import ApkAnalyzer
from hullguard.analyzers.base import Analyzer
from hullguard.analyzers.dpkg import DpkgAnalyzer
from hullguard.analyzers.go_binary import GoBinaryAnalyzer
from hullguard.analyzers.os_release import OsReleaseAnalyzer
from hullguard.analyzers.rust_binary import RustBinaryAnalyzer

ANALYZERS: tuple[Analyzer, ...] = (
    OsReleaseAnalyzer(),
    ApkAnalyzer(),
    DpkgAnalyzer(),
    GoBinaryAnalyzer(),
    RustBinaryAnalyzer(),
)
