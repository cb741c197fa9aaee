"""PHP Composer packages: `composer.lock` and `vendor/composer/installed.json` (Composer 1 and 2)."""

from __future__ import annotations

from typing import Any

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.documents import (
    each,
    expect_format,
    inside,
    load_json,
    mapping,
    package,
    sequence,
    text,
)
from hullguard.model import Inventory, Package, PackageType


class ComposerLockAnalyzer:
    """A project's `composer.lock`; `packages-dev` are marked dev."""

    spec = specs.COMPOSER_LOCK

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if inside(file.path, "vendor"):
            return Inventory()  # a dependency's own lock, installed under vendor/
        lock = mapping(load_json(file), file, "composer.lock")
        expect_format("packages" in lock, file, "composer.lock")
        entries = [(e, False) for e in sequence(lock.get("packages"), file, "packages")]
        entries += [(e, True) for e in sequence(lock.get("packages-dev"), file, "packages-dev")]
        return _inventory(entries, file, ctx)


class ComposerInstalledAnalyzer:
    """What Composer installed in `vendor/`: a list (Composer 1) or `{packages, dev-package-names}` (2)."""

    spec = specs.COMPOSER_INSTALLED

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        doc = load_json(file)
        if isinstance(doc, list):
            return _inventory([(e, False) for e in doc], file, ctx)
        installed = mapping(doc, file, "installed.json")
        expect_format("packages" in installed, file, "Composer installed.json")
        dev_names = {text(n) for n in sequence(installed.get("dev-package-names"), file, "dev-package-names")}
        entries = [
            (e, text(mapping(e, file, "package").get("name")) in dev_names - {None})
            for e in sequence(installed.get("packages"), file, "packages")
        ]
        return _inventory(entries, file, ctx)


def _inventory(entries: list[tuple[Any, bool]], file: FileInput, ctx: AnalysisContext) -> Inventory:
    numbered = ((f"package #{n}", entry) for n, entry in enumerate(entries, 1))
    return Inventory(
        packages=tuple(each(numbered, file, ctx, lambda key, e: _package(e[0], e[1], key, file, ctx)))
    )


def _package(value: Any, dev: bool, key: str, file: FileInput, ctx: AnalysisContext) -> Package | None:
    entry = mapping(value, file, key)
    name, version = text(entry.get("name")), text(entry.get("version"))
    if not name or not version:
        ctx.issue(file, f"{key} has no name or version; skipped")
        return None
    license = entry.get("license")  # a list of SPDX ids, or one id as a string in older files
    licenses = (
        (license,)
        if isinstance(license, str)
        else tuple(map(str, sequence(license, file, f"{name} license")))
    )
    requires = tuple(d for d in mapping(entry.get("require"), file, f"{name} require") if "/" in d)
    return package(
        PackageType.COMPOSER, name, version, file, dev=dev, licenses=licenses, dependencies=requires
    )
