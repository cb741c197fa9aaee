"""Linux audit rules: which paths are watched, from `auditctl -l` or the rule files on disk."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from dataclasses import dataclass

from hullguard.host.tree import HostReadError, HostTree

RULE_FILES = ("/etc/audit/audit.rules",)
RULE_DIR = "/etc/audit/rules.d"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditRules:
    watched: frozenset[str]
    source: str
    """`auditctl -l` or the files read."""

    def watches(self, path: str) -> bool:
        """A watch on a directory covers everything beneath it (auditctl -w is recursive)."""
        path = path.rstrip("/") or "/"
        return any(path == w or path.startswith(w.rstrip("/") + "/") for w in self.watched)


def parse_rules(text: str) -> frozenset[str]:
    watched: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        for i, word in enumerate(words):
            if word == "-w" and i + 1 < len(words):
                watched.add(words[i + 1])
            elif word == "-F" and i + 1 < len(words):
                key, _, value = words[i + 1].partition("=")
                if key in ("path", "dir") and value:
                    watched.add(value)
    return frozenset(watched)


def load_rules(tree: HostTree) -> tuple[AuditRules | None, list[tuple[str, str]]]:
    """The loaded rules on a live host (auditctl -l), else the files; None when there are none."""
    problems: list[tuple[str, str]] = []
    if tree.live and shutil.which("auditctl"):
        result = subprocess.run(["auditctl", "-l"], capture_output=True, text=True, timeout=10)
        if result.returncode == 0 and "No rules" not in result.stdout:
            return AuditRules(watched=parse_rules(result.stdout), source="auditctl -l"), problems
    files = [*RULE_FILES, *(p for p in tree.listdir(RULE_DIR) if p.endswith(".rules"))]
    texts: list[str] = []
    read: list[str] = []
    for path in files:
        try:
            text = tree.read_text(path)
        except HostReadError as e:
            problems.append((path, str(e)))
            continue
        if text is not None:
            texts.append(text)
            read.append(path)
    if not read:
        return None, problems
    return AuditRules(watched=parse_rules("\n".join(texts)), source=", ".join(read)), problems
