"""Python project lock files: `poetry.lock`, `uv.lock` and `Pipfile.lock`."""

from __future__ import annotations

from typing import Any

from hullguard.analyzers import specs
from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.analyzers.documents import (
    dev_only,
    each,
    expect_format,
    inside,
    load_json,
    load_toml,
    mapping,
    package,
    sequence,
    text,
)
from hullguard.model import Inventory, Package, PackageType

VENDORED = ("site-packages", "dist-packages", "node_modules")
"""Lock and requirements files under these folders belong to installed packages (their tests, their docs)."""
_LOCAL_SOURCES = ("virtual", "editable", "directory", "path")
"""uv sources that are the project itself or its workspace members, not packages from an index."""


class PythonLockAnalyzer:
    """Every pinned package of a Poetry, uv or Pipenv lock file; dev groups are marked."""

    spec = specs.PYTHON_LOCK

    def analyze(self, file: FileInput, ctx: AnalysisContext) -> Inventory:
        if inside(file.path, *VENDORED):
            return Inventory()
        name = file.path.rpartition("/")[2]
        if name == "Pipfile.lock":
            return Inventory(packages=tuple(parse_pipfile_lock(file, ctx)))
        doc = load_toml(file)
        expect_format(any(k in doc for k in ("package", "metadata", "version")), file, name)
        entries = sequence(doc.get("package"), file, "package")
        if name == "uv.lock":
            entries = [mapping(e, file, "[[package]]") for e in entries]
            return Inventory(packages=tuple(parse_uv_lock(entries, file, ctx)))
        return Inventory(packages=tuple(parse_poetry_lock(entries, file, ctx)))


def parse_poetry_lock(entries: list[Any], file: FileInput, ctx: AnalysisContext) -> list[Package]:
    def parse(key: str, value: Any) -> Package | None:
        entry = mapping(value, file, key)
        name, version = text(entry.get("name")), text(entry.get("version"))
        if not name or not version:
            ctx.issue(file, f"{key} has no name or version; skipped")
            return None
        # lock-version 1.x says `category = "dev"`; 2.1 lists `groups`.
        groups = entry.get("groups")
        dev = entry.get("category") == "dev" or (
            isinstance(groups, list) and bool(groups) and "main" not in groups
        )
        deps = mapping(entry.get("dependencies"), file, f"{name}'s dependencies")
        return package(PackageType.PYPI, name, version, file, dev=dev, dependencies=tuple(deps))

    return each(((f"[[package]] #{n}", e) for n, e in enumerate(entries, 1)), file, ctx, parse)


def parse_uv_lock(entries: list[dict[str, Any]], file: FileInput, ctx: AnalysisContext) -> list[Package]:
    edges: dict[str, list[str]] = {}
    runtime: list[str] = []
    dev: list[str] = []
    kept: list[tuple[str, str]] = []
    for entry in entries:
        name = text(entry.get("name")) or ""
        edges[name] = [n for d in sequence(entry.get("dependencies"), file, name) if (n := _name(d))]
        source = mapping(entry.get("source"), file, f"{name}'s source")
        if any(k in source for k in _LOCAL_SOURCES):
            runtime.append(name)
            for group in mapping(entry.get("dev-dependencies"), file, f"{name}'s dev-dependencies").values():
                dev.extend(n for d in sequence(group, file, name) if (n := _name(d)))
        elif not name or not (version := text(entry.get("version"))):
            ctx.issue(file, f"a [[package]] without name or version was skipped: {name}")
        else:
            kept.append((name, version))
    dev_names = dev_only(edges, runtime, dev)
    return [
        package(PackageType.PYPI, name, version, file, dev=name in dev_names, dependencies=tuple(edges[name]))
        for name, version in kept
    ]


def parse_pipfile_lock(file: FileInput, ctx: AnalysisContext) -> list[Package]:
    doc = mapping(load_json(file), file, "Pipfile.lock")
    expect_format(any(k in doc for k in ("_meta", "default", "develop")), file, "Pipfile.lock")

    def parse(key: str, value: Any) -> Package | None:
        section, _, name = key.partition(".")
        version = text(mapping(value, file, key).get("version"))
        if version is None or not version.startswith("=="):
            ctx.issue(file, f"{key} is not pinned with == ({version or 'no version'}); skipped")
            return None
        pinned = version[3:] if version.startswith("===") else version[2:]
        return package(PackageType.PYPI, name, pinned, file, dev=section == "develop")

    entries = [
        (f"{section}.{name}", value)
        for section in ("default", "develop")
        for name, value in mapping(doc.get(section), file, section).items()
    ]
    return each(entries, file, ctx, parse)


def _name(dependency: Any) -> str | None:
    """`{ name = "x", ... }` in a uv dependency list."""
    return text(dependency.get("name")) if isinstance(dependency, dict) else None
