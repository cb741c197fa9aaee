"""How a service merges over the one it `extends`, following the Compose specification's merge rules.

Mappings merge key by key and the extending service wins; `command`, `entrypoint` and
`healthcheck.test` are replaced; `environment`, `labels`, `sysctls` and the like merge by name,
`volumes` by target, other sequences keep the extending service's items and add the base's others.
The extending service's own items keep their positions, so their node paths (and lines) stay true.
"""

from __future__ import annotations

from typing import Any

REPLACED = frozenset({"command", "entrypoint", "test"})
BY_NAME = frozenset({"environment", "labels", "sysctls", "annotations", "extra_hosts", "ulimits"})


def merge_service(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    merged = _merge(base, own, None, {})
    assert isinstance(merged, dict)
    return merged


def _merge(base: Any, own: Any, key: Any, done: dict[tuple[int, int], Any]) -> Any:
    if isinstance(own, dict) and isinstance(base, dict):
        # pairs shared through YAML aliases are merged once (an alias bomb stays cheap)
        if (id(base), id(own)) in done:
            return done[id(base), id(own)]
        out = {k: _merge(base[k], v, k, done) if k in base else v for k, v in own.items()}
        out.update((k, v) for k, v in base.items() if k not in own)
        done[id(base), id(own)] = out
        return out
    if key in BY_NAME and isinstance(own, (dict, list)) and isinstance(base, (dict, list)):
        return _by_name(base, own)
    if isinstance(own, list) and isinstance(base, list) and key not in REPLACED:
        if key == "volumes":
            targets = {_target(v) for v in own}
            return own + [v for v in base if _target(v) not in targets]
        return own + [v for v in base if v not in own]
    return own


def _by_name(base: dict[str, Any] | list[Any], own: dict[str, Any] | list[Any]) -> Any:
    base_map = _as_map(base)
    if isinstance(own, dict):
        return {**own, **{k: v for k, v in base_map.items() if k not in own}}
    names = set(_as_map(own))
    return own + [k if v is None else f"{k}={v}" for k, v in base_map.items() if k not in names]


def _as_map(items: dict[str, Any] | list[Any]) -> dict[str, Any]:
    if isinstance(items, dict):
        return {str(k): v for k, v in items.items()}
    out: dict[str, Any] = {}
    for item in items:
        name, eq, value = str(item).partition("=")
        if not eq and ":" in name:  # extra_hosts' "host:ip" form
            name, _, value = name.partition(":")
            eq = "="
        out[name] = value if eq else None
    return out


def _target(volume: Any) -> str:
    if isinstance(volume, dict):
        return str(volume.get("target") or "")
    parts = str(volume).split(":")
    return parts[1] if len(parts) > 1 else parts[0]
