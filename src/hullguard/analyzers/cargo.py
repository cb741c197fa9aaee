"""Rust crates from `Cargo.lock` (lock versions 1 to 4)."""

from __future__ import annotations

from typing import Any

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.documents import (
    each,
    expect_format,
    inside,
    load_toml,
    mapping,
    package,
    sequence,
    text,
)
from hullguard.model import Inventory, Package, PackageType


class CargoLockAnalyzer:
    """Every crate from a registry or git; crates without a `source` are the workspace's own."""

    spec = specs.CARGO_LOCK

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if inside(file.path, "cargo/registry", ".cargo/registry", ".cargo/git", "vendor"):
            return Inventory()  # a crate's own lock in cargo's registry/git cache or a `cargo vendor` folder

        def parse(key: str, value: Any) -> Package | None:
            entry = mapping(value, file, key)
            name, version = text(entry.get("name")), text(entry.get("version"))
            if not name or not version:
                ctx.issue(file, f"{key} has no name or version; skipped")
                return None
            if "source" not in entry:
                return None
            # Entries read "name", "name version" or "name version (source)" when names repeat.
            deps = sequence(entry.get("dependencies"), file, f"{name} dependencies")
            return package(
                PackageType.CARGO, name, version, file, dependencies=tuple(str(d).split(" ")[0] for d in deps)
            )

        doc = load_toml(file)
        expect_format("package" in doc or "version" in doc, file, "Cargo.lock")
        entries = sequence(doc.get("package"), file, "package")
        packages = each(((f"[[package]] #{n}", v) for n, v in enumerate(entries, 1)), file, ctx, parse)
        return Inventory(packages=tuple(packages))
