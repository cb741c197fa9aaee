"""What a who-can RESOURCE argument names: resource, API group, subresource; bare names via a shipped table."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from hullguard.errors import UsageError


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiResource:
    name: str
    group: str
    namespaced: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource:
    """One request target: `pods/exec` in group "", or a non-resource URL such as `/healthz`."""

    resource: str = ""
    group: str = ""
    subresource: str = ""
    url: str = ""
    namespaced: bool = True

    @property
    def combined(self) -> str:
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource

    def __str__(self) -> str:
        if self.url:
            return self.url
        return f"{self.resource}{'.' + self.group if self.group else ''}{'/' + self.subresource if self.subresource else ''}"


@functools.cache
def table() -> dict[str, ApiResource]:
    """Built-in resources by name and short name."""
    text = resources.files("hullguard").joinpath("data/cluster/api-resources.tsv").read_text(encoding="utf-8")
    found: dict[str, ApiResource] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, shorts, group, namespaced = line.split("\t")
        entry = ApiResource(name=name, group="" if group == "-" else group, namespaced=namespaced == "true")
        found[name] = entry
        for short in () if shorts == "-" else shorts.split(","):
            found[short] = entry
    return found


def parse_resource(text: str, known_groups: dict[str, set[str]] | None = None) -> Resource:
    """`pods`, `po`, `pods/exec`, `deployments.apps`, `deployments.apps/scale`, `/healthz`.
    `known_groups` (resource -> groups named in the cluster's roles) resolves custom resources."""
    if text.startswith("/"):
        return Resource(url=text, namespaced=False)
    head, _, sub = text.partition("/")
    name, _, group = head.partition(".")
    name = name.lower()
    builtin = table()
    if not group:
        if name in builtin:
            entry = builtin[name]
            return Resource(
                resource=entry.name, group=entry.group, subresource=sub, namespaced=entry.namespaced
            )
        groups = (known_groups or {}).get(name, set()) - {"*"}
        if len(groups) == 1:
            return Resource(resource=name, group=groups.pop(), subresource=sub)
        raise UsageError(
            f"resource {text!r} is not a built-in resource; name its API group as kubectl does, e.g. {name}.example.com"
        )
    found = builtin.get(name)
    namespaced = found.namespaced if found is not None and found.group == group else True
    return Resource(
        resource=found.name if found is not None and found.group == group else name,
        group=group,
        subresource=sub,
        namespaced=namespaced,
    )
