"""Which files under a path are Dockerfiles, YAML/JSON manifests or Compose files."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"})
MAX_FILE = 8 << 20


class FileKind(StrEnum):
    DOCKERFILE = "dockerfile"
    YAML = "yaml"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class ConfigFile:
    path: Path
    display: str
    """The path as reports show it: relative to the scanned folder, or as given."""
    kind: FileKind


def is_dockerfile(name: str, patterns: tuple[str, ...] = ()) -> bool:
    lower = name.lower()
    # `.orig`: the backups `--fix` keeps are not part of the build
    if lower.endswith((".dockerignore", ".md", ".yml", ".yaml", ".json", ".sh", ".txt", ".orig")):
        return False
    if lower.startswith(("dockerfile", "containerfile")) or lower.endswith((".dockerfile", ".containerfile")):
        return True
    return any(fnmatch.fnmatch(name, p) for p in patterns)


def classify(path: Path, patterns: tuple[str, ...]) -> FileKind | None:
    name = path.name
    if is_dockerfile(name, patterns):
        return FileKind.DOCKERFILE
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return FileKind.YAML
    if lower.endswith(".json"):
        return FileKind.JSON
    return None


def discover(root: Path, patterns: tuple[str, ...] = ()) -> Iterator[ConfigFile]:
    """Config files under `root` (or `root` itself), never following links out of it, sorted."""
    if root.is_file():
        yield ConfigFile(root, str(root), classify(root, patterns) or FileKind.YAML)
        return
    base = root.resolve()
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            path = Path(folder) / name
            kind = classify(path, patterns)
            if kind is None:
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(base):
                continue  # a link out of the scanned tree is not ours to read
            if not path.is_file() or path.stat().st_size > MAX_FILE:
                continue
            yield ConfigFile(path, str(path.relative_to(root)), kind)
