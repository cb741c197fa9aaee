"""A daemon's effective settings: its command line first, then its configuration file.

That is the kubelet's own precedence (flags override the `--config` file) and a fair reading
of dockerd's (it refuses to start when a flag and daemon.json disagree, so either tells).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from hullguard.host.cmdline import CommandLine
from hullguard.host.tree import HostReadError, HostTree


@dataclass(frozen=True, slots=True, kw_only=True)
class Setting:
    values: tuple[str, ...]
    source: str
    """The file the value came from (`/proc/812/cmdline`, a drop-in, `/etc/docker/daemon.json`)."""
    via: str
    """How it was written there: `--flag` or the config key."""

    @property
    def value(self) -> str:
        return ",".join(self.values)


class Unknown(Exception):
    """The setting may live in a file that could not be read: the check cannot decide."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    component: str
    command: CommandLine | None
    flags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    config: dict[str, Any] | None = None
    config_path: str | None = None
    config_error: str | None = None
    files: tuple[str, ...] = ()
    """Files the component was found from (unit files, manifests), for the report."""

    def get(self, flag: str | None, config: str | None) -> Setting | None:
        if flag is not None and self.command is not None:
            values = self.flags.get(flag.lstrip("-"))
            if values is not None:
                return Setting(values=values, source=self.command.source, via=flag)
        if config is None:
            return None
        if self.config_error is not None:
            raise Unknown(self.config_error)
        node: Any = self.config
        for part in config.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        if node is None:
            return None
        return Setting(values=_strings(node), source=self.config_path or "", via=config)

    @property
    def where(self) -> str:
        return self.config_path or (self.command.source if self.command else "") or next(iter(self.files), "")


def _strings(node: Any) -> tuple[str, ...]:
    if isinstance(node, bool):
        return ("true" if node else "false",)
    if isinstance(node, list):
        return tuple(v for item in node for v in _strings(item))
    if isinstance(node, dict):
        return tuple(f"{k}={','.join(_strings(v))}" for k, v in node.items())
    return (str(node),)


def load_config(tree: HostTree, path: str, kind: str) -> tuple[dict[str, Any] | None, str | None]:
    """(parsed mapping, error). kind: `json` or `yaml`. A missing file is (None, None)."""
    try:
        text = tree.read_text(path, limit=1 << 20)
    except HostReadError as e:
        return None, f"{e}"
    if text is None:
        return None, None
    try:
        doc = json.loads(text) if kind == "json" else yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except json.JSONDecodeError as e:
        return None, f"{path}: line {e.lineno} column {e.colno}: {e.msg}"
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        return None, f"{path}: {where}{getattr(e, 'problem', None) or e}"
    if doc is None:
        return {}, None
    if not isinstance(doc, dict):
        return None, f"{path}: expected a {'JSON object' if kind == 'json' else 'YAML mapping'}"
    return doc, None
