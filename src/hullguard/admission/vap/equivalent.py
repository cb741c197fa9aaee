"""Equivalent resources: one built-in resource served at several group/versions (deployments in
apps/v1 and extensions/v1beta1), which `matchPolicy: Equivalent` treats as one. The table is
data (data/equivalent-resources.yaml); the API server builds the same from its storage."""

from __future__ import annotations

import functools
from importlib import resources

import yaml

from hullguard.admission.review import GroupVersionResource


def _parse(text: str) -> GroupVersionResource:
    parts = text.split("/")
    group, version, resource = ("", *parts) if len(parts) == 2 else parts
    return GroupVersionResource(group=group, version=version, resource=resource)


@functools.cache
def _table() -> dict[GroupVersionResource, tuple[GroupVersionResource, ...]]:
    text = resources.files("hullguard").joinpath("data/equivalent-resources.yaml").read_text(encoding="utf-8")
    table: dict[GroupVersionResource, tuple[GroupVersionResource, ...]] = {}
    for group in yaml.safe_load(text):
        members = tuple(_parse(str(item)) for item in group)
        for member in members:
            if member in table:
                raise ValueError(f"equivalent-resources.yaml: {member} is listed twice")
            table[member] = members
    return table


def equivalents(resource: GroupVersionResource) -> tuple[GroupVersionResource, ...]:
    """The resources equivalent to `resource`, itself first; just itself when it has none."""
    others = tuple(r for r in _table().get(resource, ()) if r != resource)
    return (resource, *others)
