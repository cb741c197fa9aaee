"""Structured files the language analyzers read (JSON, TOML, YAML): parsed, or an error naming the line."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from hullguard.analyzers.base import AnalysisContext, FileInput
from hullguard.errors import AnalyzerError
from hullguard.model import Package, PackageType

T = TypeVar("T")


def load_json(file: FileInput) -> Any:
    try:
        return json.loads(file.read_bytes().removeprefix(codecs.BOM_UTF8))  # .NET tools write one
    except json.JSONDecodeError as e:
        raise AnalyzerError(f"{file.path}:{e.lineno}: invalid JSON: {e.msg} (column {e.colno})") from e
    except UnicodeDecodeError as e:
        raise AnalyzerError(f"{file.path}: not UTF-8 text: {e.reason}") from e
    except RecursionError as e:
        raise AnalyzerError(f"{file.path}: JSON nested too deeply") from e


def load_toml(file: FileInput) -> dict[str, Any]:
    import tomllib  # Cargo, Poetry and uv locks only: most images have none

    try:
        return tomllib.loads(file.read_bytes().removeprefix(codecs.BOM_UTF8).decode("utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise AnalyzerError(f"{file.path}: invalid TOML: {e}") from e
    except UnicodeDecodeError as e:
        raise AnalyzerError(f"{file.path}: not UTF-8 text: {e.reason}") from e


def load_yaml(file: FileInput, *, strings: bool = False) -> Any:
    """The first document. `strings=True` keeps every scalar as written: a version `1.10` must
    not become the float 1.1."""
    documents = load_yaml_documents(file, strings=strings)
    return documents[0] if documents else None


def load_yaml_documents(file: FileInput, *, strings: bool = False) -> list[Any]:
    """Every document of a YAML stream (pnpm 10+ writes one per lockfile section)."""
    import yaml  # here, not at the top: most images have no YAML lock file, and it costs 12 ms

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader) if strings else getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return list(yaml.load_all(file.read_bytes(), Loader=loader))
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else 0
        raise AnalyzerError(f"{file.path}:{line}: invalid YAML: {e.problem}") from e
    except yaml.YAMLError as e:
        raise AnalyzerError(f"{file.path}: invalid YAML: {e}") from e
    except RecursionError as e:
        raise AnalyzerError(f"{file.path}: YAML nested too deeply") from e


def expect_format(found: bool, file: FileInput, what: str) -> None:
    """No silent empties: a package database or lock file that is present but is not what its
    name says (empty, truncated, garbage, another format) is an error, which the report shows
    as an issue naming the file, never an empty package list that looks like a clean image."""
    if not found:
        raise AnalyzerError(f"{file.path}: not a {what} (empty, truncated or another format)")


def mapping(value: Any, file: FileInput, what: str) -> dict[str, Any]:
    """`value` if it is a JSON/TOML/YAML object, else an error saying which part had the wrong shape."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AnalyzerError(f"{file.path}: {what} should be an object, not {type(value).__name__}")
    return value


def sequence(value: Any, file: FileInput, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise AnalyzerError(f"{file.path}: {what} should be a list, not {type(value).__name__}")
    return value


def text(value: Any) -> str | None:
    """A scalar as text (YAML reads `1.0` as a float); None for anything else or empty."""
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return None
    return str(value) or None


def package(type: PackageType, name: str, version: str, file: FileInput, **fields: Any) -> Package:
    """A language package read from `file`: it carries the file's path (unless given) and layer."""
    return Package(
        type=type, name=name, version=version, **{"layer": file.layer, "path": file.path, **fields}
    )


def dev_only(edges: dict[str, list[str]], runtime: list[str], dev: list[str]) -> set[str]:
    """The nodes reachable from the `dev` roots but not from the `runtime` roots."""

    def reach(roots: list[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(edges.get(node, ()))
        return seen

    return reach(dev) - reach(runtime)


def inside(path: str, *folders: str) -> bool:
    """True when `path` lies under a folder of one of these names (whole path components): a lock
    file under `site-packages/`, `vendor/` or `node_modules/` is an installed package's own."""
    padded = f"/{path}"
    return any(f"/{folder}/" in padded for folder in folders)


def each(
    entries: Iterable[tuple[str, Any]],
    file: FileInput,
    ctx: AnalysisContext,
    parse: Callable[[str, Any], T | None],
) -> list[T]:
    """`parse(key, value)` for every entry of a lock file. An entry of the wrong shape costs that
    entry (an issue naming it), not the rest of the file."""
    found = []
    for key, value in entries:
        try:
            result = parse(key, value)
        except AnalyzerError as e:
            ctx.issue(file, f"{key} skipped: {e}")
            continue
        if result is not None:
            found.append(result)
    return found
