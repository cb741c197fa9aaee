"""Compose files: each service with its node path, read from a located YAML document."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hullguard.rules.base import NodePath
from hullguard.rules.kubernetes.objects import seq
from hullguard.rules.kubernetes.yamldoc import YamlDoc


@dataclass(frozen=True, slots=True, kw_only=True)
class ComposeService:
    path: str
    doc: YamlDoc
    name: str
    spec: dict[str, Any]
    raw: dict[str, Any] | None = None
    """The service as written, before interpolation: a `${VAR}` is not a plain-text credential."""

    def at(self, *keys: str | int) -> NodePath:
        return ("services", self.name, *keys)

    def volumes(self) -> Iterator[tuple[int, str, str]]:
        """(index, source, target) of each bind or volume, short or long syntax."""
        for n, v in enumerate(seq(self.spec.get("volumes"))):
            if isinstance(v, str):
                parts = v.split(":")
                yield n, parts[0], parts[1] if len(parts) > 1 else parts[0]
            elif isinstance(v, dict):
                yield n, str(v.get("source") or ""), str(v.get("target") or "")

    def environment(self) -> Iterator[tuple[NodePath, str, str | None]]:
        env = (self.spec if self.raw is None else self.raw).get("environment")
        if isinstance(env, dict):
            for k, v in env.items():
                yield self.at("environment", k), str(k), None if v is None else str(v)
        for n, item in enumerate(seq(env)):
            name, eq, value = str(item).partition("=")
            yield self.at("environment", n), name, value if eq else None


def is_compose(data: Any, filename: str) -> bool:
    name = filename.lower()
    named = name.startswith(("docker-compose", "compose")) and name.endswith((".yml", ".yaml"))
    looks = isinstance(data, dict) and isinstance(data.get("services"), dict) and "apiVersion" not in data
    if not looks:
        return False
    services = list(data["services"].values())
    return named or (
        bool(services) and all(isinstance(s, dict) and ("image" in s or "build" in s) for s in services)
    )
