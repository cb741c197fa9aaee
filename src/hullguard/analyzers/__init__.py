"""Analyzers read files from a tree and return inventory: OS, OS packages, language packages.

Adding an analyzer is one module plus one line in `ANALYZERS`.
"""

from __future__ import annotations

from hullguard.analyzers.apk import ApkAnalyzer
from hullguard.analyzers.base import Analyzer
from hullguard.analyzers.cargo import CargoLockAnalyzer
from hullguard.analyzers.dotnet import DotnetAnalyzer
from hullguard.analyzers.dpkg import DpkgAnalyzer
from hullguard.analyzers.go_binary import GoBinaryAnalyzer
from hullguard.analyzers.java import JavaAnalyzer
from hullguard.analyzers.npm import NpmAnalyzer
from hullguard.analyzers.npm_lock import NpmLockAnalyzer
from hullguard.analyzers.os_release import OsReleaseAnalyzer
from hullguard.analyzers.php import ComposerInstalledAnalyzer, ComposerLockAnalyzer
from hullguard.analyzers.pnpm import PnpmAnalyzer
from hullguard.analyzers.python import PythonAnalyzer
from hullguard.analyzers.python_lock import PythonLockAnalyzer
from hullguard.analyzers.requirements import RequirementsAnalyzer
from hullguard.analyzers.rpm import RpmAnalyzer
from hullguard.analyzers.rpm_manifest import RpmManifestAnalyzer
from hullguard.analyzers.ruby import GemfileLockAnalyzer, GemspecAnalyzer
from hullguard.analyzers.rust_binary import RustBinaryAnalyzer
from hullguard.analyzers.yarn import YarnAnalyzer

ANALYZERS: tuple[Analyzer, ...] = (
    OsReleaseAnalyzer(),
    ApkAnalyzer(),
    DpkgAnalyzer(),
    RpmAnalyzer(),
    PythonAnalyzer(),
    PythonLockAnalyzer(),
    RequirementsAnalyzer(),
    NpmAnalyzer(),
    NpmLockAnalyzer(),
    YarnAnalyzer(),
    PnpmAnalyzer(),
    JavaAnalyzer(),
    GemspecAnalyzer(),
    GemfileLockAnalyzer(),
    CargoLockAnalyzer(),
    ComposerLockAnalyzer(),
    ComposerInstalledAnalyzer(),
    DotnetAnalyzer(),
    GoBinaryAnalyzer(),
    RustBinaryAnalyzer(),
    RpmManifestAnalyzer(),
)
