"""Unknown fields in a pod template, where a misspelling weakens security without a word: the pod,
its spec, containers and security contexts, against the field lists in data/pod-fields.yaml."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator
from importlib import resources
from typing import Any

import yaml

from hullguard.rules.kubernetes.objects import CONTAINER_LISTS, POD_TEMPLATE_AT

CHILDREN: dict[str, dict[str, str]] = {
    "Pod": {"metadata": "ObjectMeta", "spec": "PodSpec"},
    "PodTemplate": {"metadata": "ObjectMeta", "spec": "PodSpec"},
    "PodSpec": {"securityContext": "PodSecurityContext"},
    "Container": {"securityContext": "SecurityContext"},
    "EphemeralContainer": {"securityContext": "SecurityContext"},
    "SecurityContext": {"capabilities": "Capabilities", "seccompProfile": "SeccompProfile",
                        "appArmorProfile": "AppArmorProfile", "seLinuxOptions": "SELinuxOptions"},
    "PodSecurityContext": {"seccompProfile": "SeccompProfile", "appArmorProfile": "AppArmorProfile",
                           "seLinuxOptions": "SELinuxOptions"},
}  # fmt: skip
LISTS = {key: ("EphemeralContainer" if kind == "ephemeral" else "Container") for key, kind in CONTAINER_LISTS}


@functools.cache
def known() -> dict[str, frozenset[str]]:
    text = resources.files("hullguard").joinpath("data/pod-fields.yaml").read_text(encoding="utf-8")
    return {name: frozenset(fields) for name, fields in yaml.safe_load(text).items()}


def _walk(value: Any, type_name: str, path: str) -> Iterator[str]:
    if not isinstance(value, dict):
        return
    fields = known()[type_name]
    for key, child in value.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in fields:
            close = difflib.get_close_matches(str(key), fields, n=1, cutoff=0.75)
            yield f"{where}" + (f" (did you mean {close[0]}?)" if close else "")
        elif type_name == "PodSpec" and key in LISTS and isinstance(child, list):
            for n, item in enumerate(child):
                yield from _walk(item, LISTS[key], f"{where}[{n}]")
        elif key in CHILDREN.get(type_name, {}):
            yield from _walk(child, CHILDREN[type_name][key], where)


def unknown_fields(obj: dict[str, Any], kind: str) -> list[str]:
    """Dotted paths of unknown fields in the object's pod template (empty for other kinds)."""
    at = POD_TEMPLATE_AT.get(kind)
    if at is None:
        return []
    template: Any = obj
    for key in at:
        template = template.get(str(key)) if isinstance(template, dict) else None
    prefix = ".".join(str(k) for k in at)
    return list(_walk(template, "Pod" if kind == "Pod" else "PodTemplate", prefix))
