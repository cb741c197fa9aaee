"""Rust crates from `Cargo.lock` (lock versions 1 to 4)."""

from __future__ import annotations

from hullguard.analyzers.base import AnalysisContext, AnalyzerId, AnalyzerKind, AnalyzerSpec, FileInput
from hullguard.analyzers.documents import load_toml, mapping, package, sequence, text
from hullguard.model import Inventory, PackageType


class CargoLockAnalyzer:
    """Every crate from a registry or git; crates without a `source` are the workspace's own."""

    spec = AnalyzerSpec(
        id=AnalyzerId("cargo-lock"), kind=AnalyzerKind.LANGUAGE, version=1, basenames=("Cargo.lock",)
    )

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        packages = []
        for index, value in enumerate(sequence(load_toml(file).get("package"), file, "package")):
            entry = mapping(value, file, f"package #{index + 1}")
            name, version = text(entry.get("name")), text(entry.get("version"))
            if not name or not version:
                ctx.issue(file, f"[[package]] #{index + 1} has no name or version; skipped")
                continue
            if "source" not in entry:
                continue
            # Entries read "name", "name version" or "name version (source)" when names repeat.
            deps = tuple(
                str(d).split(" ")[0]
                for d in sequence(entry.get("dependencies"), file, f"{name} dependencies")
            )
            packages.append(package(PackageType.CARGO, name, version, file, dependencies=deps))
        return Inventory(packages=tuple(packages))
