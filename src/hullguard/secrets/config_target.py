"""Secrets for `hullguard config PATH`: only the files that command reads, plus credential files.

`scan_config_secrets` is what a `config` command calls when `--scanners` includes `secret`:
Dockerfiles (ENV/ARG), Kubernetes and Compose YAML/JSON (Secret data decoded, env values,
ConfigMaps), and the credential files tools leave behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from hullguard.model import Issue, Secret
from hullguard.secrets.options import SecretOptions
from hullguard.secrets.scanner import FileScanner, scan_tree, settings_for, to_finding
from hullguard.secrets.settings import SecretSettings
from hullguard.sources.rootfs import DirTree
from hullguard.sources.tree import EntryType, FileEntry, FileTree

CONFIG_FILES = re.compile(
    r"(?:^|/)(?:"
    r"(?:[\w.\-]*\.)?(?:Dockerfile|Containerfile)(?:\.[\w.\-]+)?|[\w.\-]+\.dockerfile"
    r"|[\w.\-]+\.(?:ya?ml|json|env|tf|tfvars|properties|ini|toml|conf)"
    r"|\.env(?:\.[\w\-]+)?|\.npmrc|\.pypirc|\.netrc|_netrc|\.git-credentials|\.dockercfg"
    r"|\.kube/config|\.aws/(?:credentials|config)|\.azure/[\w.\-]+|\.config/gcloud/[\w./\-]+"
    r")$"
)


class _ConfigFiles:
    """A tree showing only the files a config scan reads."""

    def __init__(self, tree: FileTree) -> None:
        self.tree = tree

    def entries(self) -> Iterator[FileEntry]:
        return (e for e in self.tree.entries() if CONFIG_FILES.search(e.path))

    def lookup(self, path: str) -> FileEntry | None:
        return self.tree.lookup(path)

    def read_bytes(self, entry: FileEntry) -> bytes:
        return self.tree.read_bytes(entry)


def config_secrets(path: Path, options: SecretOptions) -> tuple[list[Secret], list[Issue]]:
    """What `hullguard config --scanners secret` adds."""
    return scan_config_secrets(path, settings_for(options))


def scan_config_secrets(path: Path, settings: SecretSettings) -> tuple[list[Secret], list[Issue]]:
    tree: FileTree = _ConfigFiles(DirTree(path)) if path.is_dir() else _SingleFile(path)
    found, issues = scan_tree(FileScanner(settings), tree)
    return [to_finding(f) for f in found if f.digest not in settings.baseline], issues


class _SingleFile:
    """`hullguard config FILE`: that one file, whatever its name."""

    def __init__(self, file: Path) -> None:
        self.folder = DirTree(file.parent)
        self.entry = FileEntry(path=file.name, type=EntryType.FILE, size=file.stat().st_size)

    def entries(self) -> Iterator[FileEntry]:
        return iter((self.entry,))

    def lookup(self, path: str) -> FileEntry | None:
        return self.entry if path == self.entry.path else None

    def read_bytes(self, entry: FileEntry) -> bytes:
        return self.folder.read_bytes(entry)
