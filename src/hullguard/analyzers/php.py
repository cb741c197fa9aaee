"""PHP Composer packages: `composer.lock` and `vendor/composer/installed.json` (Composer 1 and 2)."""

from __future__ import annotations

from typing import Any

from hullguard.analyzers.base import AnalysisContext, AnalyzerId, AnalyzerKind, AnalyzerSpec, FileInput
from hullguard.analyzers.documents import load_json, mapping, package, sequence, text
from hullguard.model import Inventory, Package, PackageType


class ComposerAnalyzer:
    """`packages-dev` (lock) and `dev-package-names` (installed, Composer 2) are marked dev."""

    spec = AnalyzerSpec(
        id=AnalyzerId("composer"),
        kind=AnalyzerKind.LANGUAGE,
        version=1,
        basenames=("composer.lock",),
        suffixes=("vendor/composer/installed.json",),
    )

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        doc = load_json(file)
        if file.path.endswith("composer.lock"):
            lock = mapping(doc, file, "composer.lock")
            entries = [(e, False) for e in sequence(lock.get("packages"), file, "packages")]
            entries += [(e, True) for e in sequence(lock.get("packages-dev"), file, "packages-dev")]
        elif isinstance(doc, list):  # Composer 1 writes a bare list
            entries = [(e, False) for e in doc]
        else:
            installed = mapping(doc, file, "installed.json")
            dev_names = {
                text(n) for n in sequence(installed.get("dev-package-names"), file, "dev-package-names")
            }
            entries = [
                (e, text(mapping(e, file, "package").get("name")) in dev_names - {None})
                for e in sequence(installed.get("packages"), file, "packages")
            ]
        packages = [
            p for index, (entry, dev) in enumerate(entries) if (p := _package(entry, dev, index, file, ctx))
        ]
        return Inventory(packages=tuple(packages))


def _package(value: Any, dev: bool, index: int, file: FileInput, ctx: AnalysisContext) -> Package | None:
    entry = mapping(value, file, f"package #{index + 1}")
    name, version = text(entry.get("name")), text(entry.get("version"))
    if not name or not version:
        ctx.issue(file, f"package #{index + 1} has no name or version; skipped")
        return None
    licenses = tuple(str(x) for x in sequence(entry.get("license"), file, f"{name} license"))
    requires = tuple(d for d in mapping(entry.get("require"), file, f"{name} require") if "/" in d)
    return package(
        PackageType.COMPOSER, name, version, file, dev=dev, licenses=licenses, dependencies=requires
    )
